//! People's identifiers: the resident ID number (GB 11643) and phone numbers.
//! Both are personal data: their Debug and Display are masked, so they never reach a log.

use jiff::civil::Date;

use crate::FieldError;

/// An 18-character resident identity number whose check digit and birth date are valid.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

impl IdNumber {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_ascii_uppercase();
        let err = |why: &str| {
            FieldError::new(field, "invalid_id_number", format!("身份证号码无效:{why}"))
        };
        let b = s.as_bytes();
        if b.len() != 18 {
            return Err(err("应为18位"));
        }
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(err("前17位应为数字,末位为数字或X"));
        }
        if Self::birth_date(&s).is_none() {
            return Err(err("出生日期不存在"));
        }
        if Self::check_char(b) != b[17] {
            return Err(err("校验码不符"));
        }
        Ok(Self(s))
    }

    /// The GB 11643 check character for the first 17 digits.
    pub fn check_char(b: &[u8]) -> u8 {
        let sum: u32 = b[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        CHECK[(sum % 11) as usize]
    }

    fn birth_date(s: &str) -> Option<Date> {
        let y: i16 = s.get(6..10)?.parse().ok()?;
        let m: i8 = s.get(10..12)?.parse().ok()?;
        let d: i8 = s.get(12..14)?.parse().ok()?;
        (1900..=2100).contains(&y).then_some(())?;
        Date::new(y, m, d).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The masked form shown in lists and exports: 3311**********1234.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// A mainland mobile number (11 digits, 1[3-9]…) or a landline with its area code.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let t: String = s.trim().chars().filter(|c| *c != ' ').collect();
        let digits: String = t.chars().filter(|c| *c != '-').collect();
        let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        let mobile = all_digits
            && digits.len() == 11
            && digits.starts_with('1')
            && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
        let landline = all_digits
            && digits.starts_with('0')
            && (10..=12).contains(&digits.len())
            && t.matches('-').count() <= 1;
        if mobile || landline {
            Ok(Self(digits))
        } else {
            Err(FieldError::new(
                field,
                "invalid_phone",
                "电话号码无效:应为11位手机号或带区号的固定电话",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 138****5678
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!("{}****{}", &self.0[..3], &self.0[n - 4..])
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid number from 17 digits, for tests elsewhere too.
    fn with_check(first17: &str) -> String {
        let c = IdNumber::check_char(first17.as_bytes()) as char;
        format!("{first17}{c}")
    }

    #[test]
    fn accepts_the_standard_example() {
        // The worked example of GB 11643-1999.
        assert!(IdNumber::parse("id", "11010519491231002X").is_ok());
        assert!(IdNumber::parse("id", "11010519491231002x").is_ok());
        let ok = with_check("33112519800101123");
        assert!(IdNumber::parse("id", &ok).is_ok());
    }

    #[test]
    fn rejects_bad_check_digit_and_dates() {
        let e = IdNumber::parse("parties[0].id_number", "110105194912310021").unwrap_err();
        assert_eq!(e.code, "invalid_id_number");
        assert_eq!(e.field, "parties[0].id_number");
        assert!(IdNumber::parse("id", &with_check("33112519800230123")).is_err());
        assert!(IdNumber::parse("id", "3311251980").is_err());
    }

    #[test]
    fn masks_personal_data() {
        let id = IdNumber::parse("id", "11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert!(!format!("{id:?}").contains("19491231"));
        let p = Phone::parse("phone", "138 0013 8000").unwrap();
        assert_eq!(p.masked(), "138****8000");
        assert!(!format!("{p:?}").contains("0013"));
    }

    #[test]
    fn phones() {
        assert!(Phone::parse("p", "13800138000").is_ok());
        assert!(Phone::parse("p", "0578-5123456").is_ok());
        assert!(Phone::parse("p", "12345").is_err());
        assert!(Phone::parse("p", "23800138000").is_err());
        assert!(Phone::parse("p", "1380013800a").is_err());
        assert!(Phone::parse("p", "").is_err());
    }
}
