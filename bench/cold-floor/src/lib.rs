//! The cold-start floor's core (bench/cold-floor/run.sh): the options, the token request's body
//! and the API headers, decided in Rust as the package's core decides them; no retries,
//! store, events or validation beyond "is a string".

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct FloorCore {
    api_key: String,
    tenant: String,
    client_id: String,
    client_secret: String,
    token: Option<String>,
}

fn read(o: &JsValue, k: &str) -> Result<String, JsValue> {
    Reflect::get(o, &JsValue::from_str(k))?
        .as_string()
        .ok_or_else(|| JsValue::from_str(&[k, " is required"].concat()))
}

#[wasm_bindgen]
impl FloorCore {
    #[wasm_bindgen(constructor)]
    pub fn new(o: JsValue) -> Result<FloorCore, JsValue> {
        Ok(FloorCore {
            api_key: read(&o, "apiKey")?,
            tenant: read(&o, "tenant")?,
            client_id: read(&o, "clientId")?,
            client_secret: read(&o, "clientSecret")?,
            token: None,
        })
    }
    /// [body, headers] of the token request.
    #[wasm_bindgen(js_name = tokenRequest)]
    pub fn token_request(&self) -> Array {
        let body = [
            "{\"grant_type\":\"client_credentials\",\"client_id\":\"",
            &self.client_id,
            "\",\"client_secret\":\"",
            &self.client_secret,
            "\",\"tenant\":\"",
            &self.tenant,
            "\"}",
        ]
        .concat();
        Array::of2(&body.into(), &self.api_key.clone().into())
    }
    /// Takes the token response's access_token; answers the API headers.
    #[wasm_bindgen(js_name = tokenAnswer)]
    pub fn token_answer(&mut self, access_token: JsValue) -> Result<Array, JsValue> {
        let t = access_token
            .as_string()
            .ok_or_else(|| JsValue::from_str("invalid_response"))?;
        self.token = Some(t);
        Ok(self.headers())
    }
    fn headers(&self) -> Array {
        Array::of4(
            &["Bearer ", self.token.as_deref().unwrap_or("")]
                .concat()
                .into(),
            &self.api_key.clone().into(),
            &self.tenant.clone().into(),
            &self.client_id.clone().into(),
        )
    }
}
