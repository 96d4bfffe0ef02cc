//! The one error type of the crate. The JS layer turns it into an `AndOpenError` whose `code`
//! is the stable string JS code branches on; nothing ever matches on message text.

use std::fmt;

/// Declares the error codes once: the enum, `ALL` (in declaration order) and `as_str` come from
/// this one list, so a code cannot exist in one of them and not in the others.
macro_rules! error_codes {
    ($($variant:ident => $text:literal,)*) => {
        /// Stable error codes, exactly the strings docs/API.md lists.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }
        }
    };
}

error_codes! {
    InvalidConfig => "invalid_config",
    InvalidClient => "invalid_client",
    InvalidGrant => "invalid_grant",
    Unauthorized => "unauthorized",
    Forbidden => "forbidden",
    NotFound => "not_found",
    RateLimited => "rate_limited",
    ServerError => "server_error",
    HttpError => "http_error",
    Network => "network",
    Timeout => "timeout",
    Aborted => "aborted",
    InvalidResponse => "invalid_response",
    Storage => "storage",
    BrowserSecret => "browser_secret",
}

impl ErrorCode {
    /// The code for a non-2xx HTTP status that carried no more specific RFC 6749 error.
    pub fn for_status(status: u16) -> ErrorCode {
        match status {
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            408 => ErrorCode::Timeout,
            429 => ErrorCode::RateLimited,
            500..=599 => ErrorCode::ServerError,
            _ => ErrorCode::HttpError,
        }
    }
}

/// The statuses the client retries itself: 408 and 429 and the transient 5xx (RFC 9110 §15.6);
/// 501, 505 and other 4xx never change. With `ErrorCode::for_status`, the one status table.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure, as data. `message` and `description` must already be free of secrets: every
/// constructor that takes server text goes through `Redactor` first (see `secret.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClientError {
    pub code: ErrorCode,
    pub message: String,
    pub status: Option<u16>,
    pub retryable: bool,
    pub oauth_error: Option<String>,
    pub description: Option<String>,
    pub retry_after_seconds: Option<f64>,
}

impl ClientError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let retryable = matches!(
            code,
            ErrorCode::Network
                | ErrorCode::Timeout
                | ErrorCode::RateLimited
                | ErrorCode::ServerError
        );
        ClientError {
            code,
            message: message.into(),
            status: None,
            retryable,
            oauth_error: None,
            description: None,
            retry_after_seconds: None,
        }
    }

    pub fn config(message: impl Into<String>) -> Self {
        ClientError::new(ErrorCode::InvalidConfig, message)
    }

    /// An error for an HTTP status. Retryable exactly where `RetryPolicy` would retry it.
    pub fn for_status(code: ErrorCode, status: u16, message: impl Into<String>) -> Self {
        let mut error = ClientError::new(code, message);
        error.status = Some(status);
        error.retryable = is_retryable_status(status);
        error
    }

    pub fn with_retry_after(mut self, seconds: Option<f64>) -> Self {
        self.retry_after_seconds = seconds;
        self
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ClientError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_js_api_strings() {
        let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            all.join(","),
            "invalid_config,invalid_client,invalid_grant,unauthorized,forbidden,not_found,\
             rate_limited,server_error,http_error,network,timeout,aborted,invalid_response,\
             storage,browser_secret"
        );
    }

    #[test]
    fn status_codes_map_and_retryability_follows_the_policy() {
        assert_eq!(ErrorCode::for_status(404), ErrorCode::NotFound);
        assert_eq!(ErrorCode::for_status(418), ErrorCode::HttpError);
        assert_eq!(ErrorCode::for_status(502), ErrorCode::ServerError);
        assert!(ClientError::for_status(ErrorCode::ServerError, 503, "x").retryable);
        assert!(!ClientError::for_status(ErrorCode::ServerError, 501, "x").retryable);
        assert!(!ClientError::for_status(ErrorCode::Forbidden, 403, "x").retryable);
        assert!(ClientError::new(ErrorCode::Timeout, "x").retryable);
        assert!(!ClientError::new(ErrorCode::Aborted, "x").retryable);
    }
}
