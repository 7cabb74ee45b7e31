//! Citizens follow their case with its number and a tracking code given once at
//! submission, or with a one-time code sent to a phone on the case. Codes are kept only
//! as their SHA-256: a copy of the database does not reveal them.

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

/// How long a one-time code is good for, how many may be asked for per case in that
/// time, and how many wrong guesses a case takes before its codes stop working.
pub const ONE_TIME_MINUTES: i64 = 10;
pub const ONE_TIME_PER_WINDOW: i64 = 3;
pub const ONE_TIME_MAX_ATTEMPTS: i64 = 5;

/// Six digits, as an SMS carries them.
fn new_one_time_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// A one-time code's stored form, salted with its case (six digits alone are few).
fn one_time_hash(case_id: i64, code: &str) -> String {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    hex::encode(Sha256::digest(format!("{case_id}:{digits}").as_bytes()))
}

/// What a request for a one-time code came to (the caller says the same either way).
#[derive(Debug)]
pub enum OneTime {
    /// A code for the party whose phone it is: send it to that phone.
    Issued { code: String, phone: String },
    /// No such case, or the phone is not a party's on it.
    NoMatch,
    /// Enough codes asked for this case lately.
    TooMany,
}

impl Store {
    /// A one-time code for the party of case `number` whose phone is `phone` (matched by
    /// keyed hash). The code goes only to that phone; the caller tells the asker nothing
    /// about whether it matched.
    pub async fn issue_one_time_code(
        &self,
        number: &str,
        phone: &concord_domain::person::Phone,
        now: jiff::Timestamp,
    ) -> Result<OneTime, StoreError> {
        use concord_domain::time::to_micros;
        let key = self.party_key.phone(phone);
        let party: Option<(i64, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT c.id, p.ordinal FROM cases c JOIN parties p ON p.case_id = c.id
                            WHERE c.number = $1 AND p.phone_key = $2 ORDER BY p.ordinal LIMIT 1")
                .bind(number.trim()).bind(&key).fetch_optional(pool).await?
        });
        let Some((case_id, ordinal)) = party else {
            return Ok(OneTime::NoMatch);
        };
        let code = new_one_time_code();
        let (h, at) = (one_time_hash(case_id, &code), to_micros(now));
        let until = at + ONE_TIME_MINUTES * 60_000_000;
        let issued = crate::writer::write_tx!(self, |conn| {
            let recent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM one_time_codes WHERE case_id = $1 AND created_at > $2",
            )
            .bind(case_id)
            .bind(at - ONE_TIME_MINUTES * 60_000_000)
            .fetch_one(&mut *conn)
            .await?;
            if recent >= ONE_TIME_PER_WINDOW {
                return Ok::<bool, StoreError>(false);
            }
            sqlx::query("INSERT INTO one_time_codes (case_id, party_ordinal, code_hash, created_at, expires_at)
                         VALUES ($1, $2, $3, $4, $5)")
                .bind(case_id).bind(ordinal).bind(h).bind(at).bind(until).execute(&mut *conn).await?;
            Ok(true)
        })?;
        Ok(if issued {
            OneTime::Issued {
                code,
                phone: phone.as_str().to_string(),
            }
        } else {
            OneTime::TooMany
        })
    }

    /// The case and party a live one-time code opens; a wrong six-digit guess counts
    /// against the case's live codes.
    async fn one_time_party(
        &self,
        number: &str,
        code: &str,
    ) -> Result<Option<(i64, usize)>, StoreError> {
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Ok(None);
        }
        let now = concord_domain::time::to_micros(jiff::Timestamp::now());
        let case_id: Option<i64> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT id FROM cases WHERE number = $1").bind(number.trim()).fetch_optional(pool).await?
        });
        let Some(case_id) = case_id else {
            return Ok(None);
        };
        let h = one_time_hash(case_id, &digits);
        let hit: Option<i64> = with_db!(self, pool => {
            sqlx::query_scalar(
                "SELECT party_ordinal FROM one_time_codes
                 WHERE case_id = $1 AND code_hash = $2 AND expires_at > $3 AND attempts < $4")
                .bind(case_id).bind(&h).bind(now).bind(ONE_TIME_MAX_ATTEMPTS)
                .fetch_optional(pool).await?
        });
        if let Some(p) = hit {
            return Ok(Some((case_id, p as usize)));
        }
        // Only a miss writes: it counts against the case's live codes.
        crate::writer::write_tx!(self, |conn| {
            sqlx::query("UPDATE one_time_codes SET attempts = attempts + 1 WHERE case_id = $1 AND expires_at > $2")
                .bind(case_id).bind(now).execute(&mut *conn).await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(None)
    }

    /// The id of the case with this number, if `code` is its tracking code or a live
    /// one-time code sent to one of its parties.
    pub async fn track(&self, number: &str, code: &str) -> Result<Option<i64>, StoreError> {
        match self.tracking_code_case(number, code).await? {
            Some(id) => Ok(Some(id)),
            None => Ok(self.one_time_party(number, code).await?.map(|(id, _)| id)),
        }
    }

    /// The id of the case with this number, if `code` is its tracking code.
    async fn tracking_code_case(
        &self,
        number: &str,
        code: &str,
    ) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64, Option<String>)> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, tracking_hash FROM cases WHERE number = $1")
                .bind(number.trim()).fetch_optional(pool).await?
        });
        let given = hash(code);
        let found = row.and_then(|(id, stored)| {
            let stored = stored?;
            // Compare all of it, so timing says nothing about how much matched.
            let same = stored.len() == given.len()
                && stored
                    .bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0;
            same.then_some(id)
        });
        Ok(found)
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
        if let Some(id) = self.tracking_code_case(number, code).await? {
            return Ok(Some((id, 0)));
        }
        if let Some(found) = self.one_time_party(number, code).await? {
            return Ok(Some(found));
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
