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

impl Store {
    /// Gives a party a code of their own for the mediation room and online signing;
    /// a new code replaces the old. Returns it (kept only as a hash).
    pub async fn issue_party_code(
        &self,
        case_id: i64,
        party: usize,
        by: &str,
    ) -> Result<String, StoreError> {
        let code = new_code();
        let (h, by, at) = (
            hash(&code),
            by.to_string(),
            concord_domain::time::to_micros(jiff::Timestamp::now()),
        );
        crate::writer::write_tx!(self, |conn| {
            sqlx::query("DELETE FROM party_codes WHERE case_id = $1 AND party_ordinal = $2")
                .bind(case_id)
                .bind(party as i64)
                .execute(&mut *conn)
                .await?;
            sqlx::query("INSERT INTO party_codes (case_id, party_ordinal, code_hash, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(case_id).bind(party as i64).bind(h).bind(by).bind(at).execute(&mut *conn).await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(code)
    }

    /// The case and the party a (number, code) pair belongs to: the tracking code is the
    /// first applicant's, a party code its party's.
    pub async fn party_by_code(
        &self,
        number: &str,
        code: &str,
    ) -> Result<Option<(i64, usize)>, StoreError> {
        if let Some(id) = self.track(number, code).await? {
            return Ok(Some((id, 0)));
        }
        let row: Option<(i64, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT p.case_id, p.party_ordinal FROM party_codes p JOIN cases c ON c.id = p.case_id
                            WHERE c.number = $1 AND p.code_hash = $2")
                .bind(number.trim()).bind(hash(code)).fetch_optional(pool).await?
        });
        Ok(row.map(|(id, p)| (id, p as usize)))
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
