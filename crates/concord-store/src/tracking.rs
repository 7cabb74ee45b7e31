//! Citizens follow their case with its number and a tracking code given once at
//! submission. The code is kept only as its SHA-256: a copy of the database does not
//! reveal it.

use rand::Rng;
use sha2::{Digest, Sha256};

use crate::{Store, StoreError, with_db};

/// Letters and digits that cannot be mistaken for each other when read aloud or copied
/// by hand (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Eight characters, shown as `K7PQ-3MXR`: 39 bits, with tries rate-limited.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: String = (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// The stored form of a code; case, spaces and the dash do not matter.
pub fn hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(Sha256::digest(norm.as_bytes()))
}

impl Store {
    /// The id of the case with this number, if `code` is its tracking code.
    pub async fn track(&self, number: &str, code: &str) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64, Option<String>)> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, tracking_hash FROM cases WHERE number = $1")
                .bind(number.trim()).fetch_optional(pool).await?
        });
        let given = hash(code);
        Ok(row.and_then(|(id, stored)| {
            let stored = stored?;
            // Compare all of it, so timing says nothing about how much matched.
            let same = stored.len() == given.len()
                && stored
                    .bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0;
            same.then_some(id)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_match_however_they_are_typed() {
        let code = new_code();
        assert_eq!(code.len(), 9);
        assert!(!code.contains('0') && !code.contains('O') && !code.contains('I'));
        assert_eq!(hash(&code), hash(&code.to_lowercase().replace('-', " ")));
        assert_ne!(hash(&code), hash(&new_code()));
    }
}
