//! One authenticated API call as a sans-I/O state machine (the quinn-proto shape): the session
//! (src/js/session/) asks `request()` what to send, driver.js sends it with a valid token, and
//! the session reports what came back through `on_response` / `on_failure`; the flow answers with the next
//! `CallStep`. Every decision lives here: which redirects to follow and how, the one
//! re-authentication on a 401, which answers to retry and how long to wait (Retry-After,
//! backoff with the jitter passed in), and when to stop. The flow never performs I/O, never
//! reads a clock, and is tested with `cargo test` against scripted answers.

use super::api_scope::{on_redirect, ApiScope, RedirectMode, RedirectSeen, RedirectStep};
use super::error::{is_retryable_status, ClientError, ErrorCode};
use super::retry_policy::{Failure, RetryPolicy};

/// What the driver must send next.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRequest {
    pub url: String,
    pub method: String,
    /// Whether the caller's body goes with it (a 303, or a 301/302 after POST, drops it).
    pub with_body: bool,
}

/// The parts of a response the flow decides on (the driver reads them once, in JS).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResponseHead<'a> {
    /// 0 for a browser's opaque redirect.
    pub status: u16,
    /// `Retry-After`, already turned into seconds from now.
    pub retry_after_seconds: Option<f64>,
    /// `Location`, resolved against the request URL.
    pub location: Option<&'a str>,
}

/// A retry about to happen, for the `retry` event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Retry {
    /// 1-based retry number.
    pub attempt: u32,
    pub delay_ms: f64,
    pub status: Option<u16>,
    pub code: ErrorCode,
}

/// What the driver does next.
#[derive(Clone, Debug, PartialEq)]
pub enum CallStep {
    /// Free the response and send `request()` again (a redirect followed inside the scope).
    Follow,
    /// The token was refused: invalidate the token of this generation, free the response, emit
    /// `unauthorized_retry`, then send `request()` again with a new token.
    Reauthenticate { refused_generation: u64 },
    /// Free the response (if any), emit `retry`, wait `delay_ms` (abortably), then send again.
    Wait(Retry),
    /// The call is over: hand this response to the caller as it is.
    Return,
    /// The call failed with this error (free the response, if any).
    Fail(ClientError),
    /// A second 401 after re-authenticating: invalidate `refused_generation`, read the body (up to
    /// 64 KB) and fail with `classify_error_response(401, body, …)` (`unauthorized`).
    FailUnauthorized { refused_generation: u64 },
}

/// How the call was made (from the caller's `init`).
#[derive(Clone, Debug)]
pub struct CallSpec {
    pub url: String,
    pub method: String,
    pub has_body: bool,
    /// False for a stream body, which can be sent only once.
    pub body_replayable: bool,
    pub redirect: RedirectMode,
}

#[derive(Clone, Debug)]
pub struct CallFlow {
    request: CallRequest,
    has_body: bool,
    body_replayable: bool,
    /// docs/API.md: POST and PATCH are replayed only after a 401 or when they cannot have been
    /// received.
    idempotent: bool,
    redirect: RedirectMode,
    policy: RetryPolicy,
    redirects: u32,
    reauthenticated: bool,
    retries: u32,
}

impl CallFlow {
    pub fn new(spec: CallSpec, policy: RetryPolicy) -> CallFlow {
        let idempotent = !matches!(spec.method.as_str(), "POST" | "PATCH");
        CallFlow {
            request: CallRequest {
                url: spec.url,
                method: spec.method,
                with_body: spec.has_body,
            },
            has_body: spec.has_body,
            body_replayable: spec.body_replayable,
            idempotent,
            redirect: spec.redirect,
            policy,
            redirects: 0,
            reauthenticated: false,
            retries: 0,
        }
    }

    /// What to send now.
    pub fn request(&self) -> &CallRequest {
        &self.request
    }

    /// A response came back for a request made with the token of `generation`. `jitter` is in
    /// [0, 1).
    pub fn on_response(
        &mut self,
        scope: &ApiScope,
        head: ResponseHead<'_>,
        generation: u64,
        jitter: f64,
    ) -> CallStep {
        let status = head.status;
        if status == 0 || (300..400).contains(&status) {
            return self.on_redirect(scope, head);
        }
        if status == 401 {
            // A stream body cannot be sent again: the caller gets the 401 as it is.
            if !self.body_replayable {
                return CallStep::Return;
            }
            if self.reauthenticated {
                return CallStep::FailUnauthorized {
                    refused_generation: generation,
                };
            }
            self.reauthenticated = true;
            return CallStep::Reauthenticate {
                refused_generation: generation,
            };
        }
        if !(self.body_replayable && is_retryable_status(status)) {
            return CallStep::Return;
        }
        let failure = Failure::Status(status);
        match self.delay(failure, head.retry_after_seconds, jitter) {
            Some(delay_ms) => self.retry(delay_ms, Some(status), ErrorCode::for_status(status)),
            // Out of retries: `fetch()` resolves with the last answer (docs/API.md).
            None => CallStep::Return,
        }
    }

    /// No response: `error` is what the attempt came to (network, timeout, aborted, …).
    pub fn on_failure(&mut self, error: ClientError, jitter: f64) -> CallStep {
        let delay = Failure::of(&error)
            .filter(|_| self.body_replayable)
            .and_then(|failure| self.delay(failure, None, jitter));
        match delay {
            Some(delay_ms) => self.retry(delay_ms, error.status, error.code),
            None => CallStep::Fail(error),
        }
    }

    fn on_redirect(&mut self, scope: &ApiScope, head: ResponseHead<'_>) -> CallStep {
        let seen = RedirectSeen {
            status: head.status,
            location: head.location,
            method: &self.request.method,
            has_body: self.request.with_body,
            body_replayable: self.body_replayable,
            hops_done: self.redirects,
        };
        match on_redirect(scope, &seen, self.redirect) {
            RedirectStep::Follow {
                url,
                method,
                keep_body,
            } => {
                self.request = CallRequest {
                    url,
                    method,
                    with_body: keep_body && self.has_body,
                };
                self.redirects += 1;
                CallStep::Follow
            }
            RedirectStep::Return => CallStep::Return,
            RedirectStep::Fail(error) => CallStep::Fail(error),
        }
    }

    fn delay(&self, failure: Failure, retry_after: Option<f64>, jitter: f64) -> Option<f64> {
        self.policy
            .delay_ms(self.retries, failure, retry_after, jitter, self.idempotent)
    }

    fn retry(&mut self, delay_ms: f64, status: Option<u16>, code: ErrorCode) -> CallStep {
        self.retries += 1;
        CallStep::Wait(Retry {
            attempt: self.retries,
            delay_ms,
            status,
            code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const API: &str = "https://api.example/v1";

    fn scope() -> ApiScope {
        ApiScope::new(API)
    }

    fn flow(method: &str, has_body: bool) -> CallFlow {
        CallFlow::new(
            CallSpec {
                url: format!("{API}/things"),
                method: method.into(),
                has_body,
                body_replayable: true,
                redirect: RedirectMode::Follow,
            },
            RetryPolicy::new(2),
        )
    }

    fn head(status: u16) -> ResponseHead<'static> {
        ResponseHead {
            status,
            retry_after_seconds: None,
            location: None,
        }
    }

    /// A scripted server: plays `answers` to the flow, one per request, and records every
    /// request the flow asked for and every step it took, as a driver would.
    fn play(
        flow: &mut CallFlow,
        answers: &[Result<ResponseHead<'_>, ClientError>],
    ) -> (Vec<CallRequest>, Vec<CallStep>) {
        let (mut sent, mut steps) = (Vec::new(), Vec::new());
        let mut generation = 1;
        for answer in answers {
            sent.push(flow.request().clone());
            let step = match answer.clone() {
                Ok(h) => flow.on_response(&scope(), h, generation, 0.5),
                Err(e) => flow.on_failure(e, 0.5),
            };
            if matches!(step, CallStep::Reauthenticate { .. }) {
                generation += 1;
            }
            let over = matches!(
                step,
                CallStep::Return | CallStep::Fail(_) | CallStep::FailUnauthorized { .. }
            );
            steps.push(step);
            if over {
                break;
            }
        }
        (sent, steps)
    }

    #[test]
    fn a_200_is_returned_at_once() {
        let (sent, steps) = play(&mut flow("GET", false), &[Ok(head(200))]);
        assert_eq!(sent.len(), 1);
        assert_eq!(steps, [CallStep::Return]);
    }

    #[test]
    fn a_401_re_authenticates_once_then_a_second_one_fails() {
        let (sent, steps) = play(&mut flow("POST", true), &[Ok(head(401)), Ok(head(401))]);
        assert_eq!(
            steps,
            [
                CallStep::Reauthenticate {
                    refused_generation: 1
                },
                CallStep::FailUnauthorized {
                    refused_generation: 2
                }
            ]
        );
        assert!(
            sent.iter().all(|r| r.method == "POST" && r.with_body),
            "a POST is replayed after a 401, body and all"
        );
    }

    #[test]
    fn retries_honour_retry_after_then_back_off_with_jitter_and_stop_at_max_retries() {
        let mut f = flow("GET", false);
        let answers = [
            Ok(ResponseHead {
                status: 429,
                retry_after_seconds: Some(3.0),
                location: None,
            }),
            Ok(head(503)),
            Ok(head(503)),
        ];
        let (sent, steps) = play(&mut f, &answers);
        assert_eq!(sent.len(), 3);
        assert_eq!(
            steps,
            [
                CallStep::Wait(Retry {
                    attempt: 1,
                    delay_ms: 3000.0,
                    status: Some(429),
                    code: ErrorCode::RateLimited
                }),
                // Second retry: 200 ms × 2, equal jitter at 0.5 → 300 ms.
                CallStep::Wait(Retry {
                    attempt: 2,
                    delay_ms: 300.0,
                    status: Some(503),
                    code: ErrorCode::ServerError
                }),
                // maxRetries (2) reached: fetch() resolves with the last 503.
                CallStep::Return,
            ]
        );
    }

    #[test]
    fn a_post_is_not_replayed_after_a_timeout_or_a_503_but_a_get_is() {
        let timeout = ClientError::new(ErrorCode::Timeout, "the API request timed out");
        let (_, steps) = play(&mut flow("POST", true), &[Err(timeout.clone())]);
        assert_eq!(steps, [CallStep::Fail(timeout.clone())]);
        let (_, steps) = play(&mut flow("POST", true), &[Ok(head(503))]);
        assert_eq!(steps, [CallStep::Return]);
        let (sent, steps) = play(&mut flow("GET", false), &[Err(timeout), Ok(head(200))]);
        assert_eq!(sent.len(), 2);
        assert!(matches!(
            steps[0],
            CallStep::Wait(Retry {
                attempt: 1,
                status: None,
                code: ErrorCode::Timeout,
                ..
            })
        ));
        assert_eq!(steps[1], CallStep::Return);
    }

    #[test]
    fn a_stream_body_is_never_sent_twice() {
        let mut f = CallFlow::new(
            CallSpec {
                url: format!("{API}/upload"),
                method: "PUT".into(),
                has_body: true,
                body_replayable: false,
                redirect: RedirectMode::Follow,
            },
            RetryPolicy::new(2),
        );
        assert_eq!(f.on_response(&scope(), head(401), 1, 0.0), CallStep::Return);
        assert_eq!(f.on_response(&scope(), head(503), 1, 0.0), CallStep::Return);
        let network = ClientError::new(ErrorCode::Network, "no response");
        assert_eq!(f.on_failure(network.clone(), 0.0), CallStep::Fail(network));
    }

    #[test]
    fn redirects_inside_the_scope_change_the_request_outside_it_end_the_call() {
        let mut f = flow("POST", true);
        let moved = ResponseHead {
            status: 303,
            retry_after_seconds: None,
            location: Some("https://api.example/v1/result/7"),
        };
        assert_eq!(f.on_response(&scope(), moved, 1, 0.0), CallStep::Follow);
        assert_eq!(
            f.request(),
            &CallRequest {
                url: "https://api.example/v1/result/7".into(),
                method: "GET".into(),
                with_body: false
            }
        );
        let away = ResponseHead {
            status: 307,
            retry_after_seconds: None,
            location: Some("https://evil.example/v1/x"),
        };
        assert_eq!(f.on_response(&scope(), away, 1, 0.0), CallStep::Return);
    }

    #[test]
    fn a_network_failure_is_retried_then_reported() {
        let network = ClientError::new(ErrorCode::Network, "no response");
        let (sent, steps) = play(
            &mut flow("GET", false),
            &[
                Err(network.clone()),
                Err(network.clone()),
                Err(network.clone()),
            ],
        );
        assert_eq!(sent.len(), 3);
        assert_eq!(steps.last(), Some(&CallStep::Fail(network)));
    }
}
