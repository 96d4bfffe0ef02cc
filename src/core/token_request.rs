//! Token requests as data (andopen-api.md steps 1 and 2): the JS layer only sends them.

use super::config::Config;
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
        let tenant = Some(config.tenant.as_str());
        let body = match grant {
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
        };
        TokenRequest {
            url: format!("{}/auth/token", config.auth_url),
            headers: vec![
                ("content-type", Secret::new("application/json")),
                ("accept", Secret::new("application/json")),
                ("x-api-key", config.api_key.clone()),
            ],
            body: Secret::new(body),
        }
    }
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
