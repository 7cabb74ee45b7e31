//! Staff sessions in the browser: the session token in an HttpOnly, SameSite cookie, and
//! a CSRF token derived from it that every form and every script's write must carry.
//! The API accepts the same cookie, so that the pages' scripts call the tested API.

use axum::http::{HeaderMap, HeaderValue, Method, header};
use sha2::{Digest, Sha256};

pub const COOKIE: &str = "concord_session";
/// The header a page's script sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field a plain HTML form sends it in.
pub const CSRF_FIELD: &str = "_csrf";

/// The CSRF token of a session: only someone who holds the session can compute it, and
/// another site's page cannot read it.
pub fn csrf_token(session: &str) -> String {
    let digest = Sha256::new_with_prefix(b"concord-csrf\0")
        .chain_update(session.as_bytes())
        .finalize();
    hex::encode(&digest[..16])
}

/// The session token in the request's cookie, if any.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// Whether a cookie-authenticated request may proceed: reads always; writes only with
/// the session's CSRF token in the header.
pub fn csrf_ok(method: &Method, headers: &HeaderMap, session: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| constant_eq(v, &csrf_token(session)))
}

pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `Set-Cookie` for a new session (12 hours, as the session itself); `Secure` when the
/// center serves over TLS.
pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200{secure}"
    ))
    .expect("a token is ASCII")
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("concord_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_among_others_and_writes_need_the_token() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; concord_session=abc; b=2"),
        );
        assert_eq!(cookie_token(&h).as_deref(), Some("abc"));
        assert!(csrf_ok(&Method::GET, &h, "abc"));
        assert!(!csrf_ok(&Method::POST, &h, "abc"));
        h.insert(CSRF_HEADER, csrf_token("abc").parse().unwrap());
        assert!(csrf_ok(&Method::POST, &h, "abc"));
        assert!(!csrf_ok(&Method::POST, &h, "abd"));
    }
}
