//! Token requests as data (the &Open token contract, steps 1 and 2: emulator/README.md): the JS layer only sends them.

use super::config::{ClientAuth, Config, Profile};
use super::form::{basic_authorization, write_form};
use super::json::write_object;
use super::secret::Secret;

#[derive(Clone, Debug, PartialEq)]
pub enum Grant {
    ClientCredentials,
    RefreshToken(Secret),
}

impl Grant {
    pub fn name(&self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client_credentials",
            Grant::RefreshToken(_) => "refresh_token",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub url: String,
    /// Header name/value pairs; the values include the API key, so never log them.
    pub headers: Vec<(&'static str, Secret)>,
    /// The JSON body; holds the client secret or the refresh token.
    pub body: Secret,
}

impl TokenRequest {
    pub fn new(config: &Config, grant: &Grant) -> TokenRequest {
        let mut headers = Vec::with_capacity(4);
        let body = match config.profile {
            Profile::AndOpen => {
                headers.push(("content-type", Secret::new("application/json")));
                andopen_body(config, grant)
            }
            Profile::OAuth2 => {
                headers.push((
                    "content-type",
                    Secret::new("application/x-www-form-urlencoded"),
                ));
                let (body, authorization) = oauth2_body(config, grant);
                if let Some(authorization) = authorization {
                    headers.push(("authorization", Secret::new(authorization)));
                }
                body
            }
        };
        headers.push(("accept", Secret::new("application/json")));
        if let Some(api_key) = &config.api_key {
            headers.push(("x-api-key", api_key.clone()));
        }
        TokenRequest {
            url: config.token_url.clone(),
            headers,
            body: Secret::new(body),
        }
    }
}

/// The &Open dialect: a JSON body with the tenant (the seed's steps 1 and 2).
fn andopen_body(config: &Config, grant: &Grant) -> String {
    let tenant = config.tenant.as_deref();
    match grant {
        // Seed, step 1: the tenant reference goes in the body, never in a header here.
        Grant::ClientCredentials => write_object(&[
            ("grant_type", Some("client_credentials")),
            ("tenant", tenant),
            ("client_id", config.client_id.as_deref()),
            (
                "client_secret",
                config.client_secret.as_ref().map(Secret::expose),
            ),
        ]),
        // RFC 6749 §6 in the seed's JSON style: no client secret with a refresh.
        Grant::RefreshToken(refresh) => write_object(&[
            ("grant_type", Some("refresh_token")),
            ("refresh_token", Some(refresh.expose())),
            ("tenant", tenant),
        ]),
    }
}

/// RFC 6749 §4.4.2 and §6: a form body, the client authenticated by HTTP Basic (returned as the
/// `Authorization` value) or in the body. A client without a secret (a public client holding a
/// refresh token) sends only its `client_id`, as §3.2.1 asks.
fn oauth2_body(config: &Config, grant: &Grant) -> (String, Option<String>) {
    let secret = config.client_secret.as_ref().map(Secret::expose);
    let id = config.client_id.as_deref();
    let basic = match (config.client_auth, id, secret) {
        (ClientAuth::Basic, Some(id), Some(secret)) => Some(basic_authorization(id, secret)),
        _ => None,
    };
    let (body_id, body_secret) = match (&basic, config.client_auth) {
        (Some(_), _) => (None, None),
        (None, ClientAuth::Post) => (id, secret),
        (None, ClientAuth::Basic) => (id, None),
    };
    let body = match grant {
        Grant::ClientCredentials => write_form(&[
            ("grant_type", Some("client_credentials")),
            ("scope", config.scope.as_deref()),
            ("audience", config.audience.as_deref()),
            ("resource", config.resource.as_deref()),
            ("client_id", body_id),
            ("client_secret", body_secret),
        ]),
        // RFC 8707 §2.2: the resource (and its audience synonym) again, so the refreshed token
        // is for the same API; not the scope, which a server may refuse to widen.
        Grant::RefreshToken(refresh) => write_form(&[
            ("grant_type", Some("refresh_token")),
            ("refresh_token", Some(refresh.expose())),
            ("audience", config.audience.as_deref()),
            ("resource", config.resource.as_deref()),
            ("client_id", body_id),
            ("client_secret", body_secret),
        ]),
    };
    (body, basic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::ConfigInput;

    fn config() -> Config {
        Config::validate(ConfigInput {
            api_key: Some("key-1".into()),
            tenant: Some("ten\"ant".into()),
            client_id: Some("andopen_client_id_1".into()),
            client_secret: Some("s3cret".into()),
            auth_url: Some("http://127.0.0.1:4401/".into()),
            ..ConfigInput::default()
        })
        .expect("valid")
    }

    #[test]
    fn client_credentials_request_matches_the_seed() {
        let r = TokenRequest::new(&config(), &Grant::ClientCredentials);
        assert_eq!(r.url, "http://127.0.0.1:4401/auth/token");
        assert_eq!(
            r.body.expose(),
            r#"{"grant_type":"client_credentials","tenant":"ten\"ant","client_id":"andopen_client_id_1","client_secret":"s3cret"}"#
        );
        let headers: Vec<(&str, &str)> = r.headers.iter().map(|(n, v)| (*n, v.expose())).collect();
        assert_eq!(
            headers,
            [
                ("content-type", "application/json"),
                ("accept", "application/json"),
                ("x-api-key", "key-1")
            ]
        );
    }

    fn oauth2(client_auth: Option<&str>) -> Config {
        Config::validate(ConfigInput {
            profile: Some("oauth2".into()),
            token_url: Some("https://idp.example/oauth/token".into()),
            api_url: Some("https://api.example/v1".into()),
            client_id: Some("my client".into()),
            client_secret: Some("s3:cr&t".into()),
            client_auth: client_auth.map(str::to_owned),
            scope: Some("read write".into()),
            resource: Some("https://api.example/".into()),
            ..ConfigInput::default()
        })
        .expect("valid oauth2 config")
    }

    fn header<'a>(r: &'a TokenRequest, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.expose())
    }

    #[test]
    fn oauth2_client_credentials_with_basic_authentication() {
        let r = TokenRequest::new(&oauth2(None), &Grant::ClientCredentials);
        assert_eq!(r.url, "https://idp.example/oauth/token");
        assert_eq!(
            r.body.expose(),
            "grant_type=client_credentials&scope=read+write&resource=https%3A%2F%2Fapi.example%2F"
        );
        assert_eq!(
            header(&r, "content-type"),
            Some("application/x-www-form-urlencoded")
        );
        // RFC 6749 §2.3.1: "my+client" and "s3%3Acr%26t", joined by ':' and base64-encoded.
        assert_eq!(
            header(&r, "authorization"),
            Some("Basic bXkrY2xpZW50OnMzJTNBY3IlMjZ0")
        );
        assert_eq!(header(&r, "x-api-key"), None, "no apiKey, no x-api-key");
    }

    #[test]
    fn oauth2_post_authentication_and_refresh() {
        let config = oauth2(Some("client_secret_post"));
        let r = TokenRequest::new(&config, &Grant::ClientCredentials);
        assert_eq!(header(&r, "authorization"), None);
        assert!(r
            .body
            .expose()
            .ends_with("&client_id=my+client&client_secret=s3%3Acr%26t"));
        let r = TokenRequest::new(&config, &Grant::RefreshToken(Secret::new("rt/1")));
        assert_eq!(
            r.body.expose(),
            "grant_type=refresh_token&refresh_token=rt%2F1&resource=https%3A%2F%2Fapi.example%2F&client_id=my+client&client_secret=s3%3Acr%26t"
        );
        let basic = TokenRequest::new(&oauth2(None), &Grant::RefreshToken(Secret::new("rt")));
        assert_eq!(
            basic.body.expose(),
            "grant_type=refresh_token&refresh_token=rt&resource=https%3A%2F%2Fapi.example%2F"
        );
        assert!(header(&basic, "authorization").is_some());
    }

    #[test]
    fn refresh_request_has_no_client_secret() {
        let r = TokenRequest::new(&config(), &Grant::RefreshToken(Secret::new("rt_1")));
        assert_eq!(
            r.body.expose(),
            r#"{"grant_type":"refresh_token","refresh_token":"rt_1","tenant":"ten\"ant"}"#
        );
        assert!(!r.body.expose().contains("s3cret"));
        assert!(!format!("{r:?}").contains("s3cret"));
    }
}
