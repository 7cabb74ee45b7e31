//! Chinese punctuation in values typed on ordinary keyboards: `,` `:` `;` `?` `!` `.`
//! and `( )` next to Chinese text become their full-width forms (，：；？！。（）), as
//! a printed document needs; numbers (3,000 · 10:30 · 3.5) are left alone.

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
        || matches!(c, '“' | '”' | '‘' | '’')
}

fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ':' => '：',
        ';' => '；',
        '?' => '？',
        '!' => '！',
        '.' => '。',
        _ => return None,
    })
}

/// The value with its punctuation set for a Chinese document.
pub fn chinese(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = chars.clone();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let near_cjk = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        match c {
            // A full stop only ends a Chinese sentence, never splits a number.
            '.' if prev.is_some_and(is_cjk)
                && next.is_none_or(|n| n.is_whitespace() || is_cjk(n)) =>
            {
                out[i] = '。'
            }
            '.' => {}
            '(' => {
                if let Some(close) = matching(&chars, i) {
                    let inside = chars[i + 1..close].iter().any(|&c| is_cjk(c));
                    let outside = prev.is_some_and(is_cjk)
                        || chars.get(close + 1).is_some_and(|&c| is_cjk(c));
                    if inside || outside {
                        out[i] = '（';
                        out[close] = '）';
                    }
                }
            }
            _ if near_cjk => {
                if let Some(f) = full_width(c) {
                    out[i] = f;
                }
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}

fn matching(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::chinese;

    #[test]
    fn punctuation_next_to_chinese_becomes_full_width() {
        assert_eq!(
            chinese("兄妹四人对继承份额争执不下,请求帮助调处."),
            "兄妹四人对继承份额争执不下，请求帮助调处。"
        );
        assert_eq!(chinese("交办:按属地分流"), "交办：按属地分流");
        assert_eq!(chinese("(2025)浙1125民特1号"), "（2025）浙1125民特1号");
        assert_eq!(chinese("赔偿(含医疗费)"), "赔偿（含医疗费）");
    }

    #[test]
    fn numbers_and_latin_text_are_left_alone() {
        assert_eq!(chinese("共计3,000元,已付1.5万"), "共计3,000元，已付1.5万");
        assert_eq!(chinese("10:30 在调解室"), "10:30 在调解室");
        assert_eq!(chinese("Hello, world (ok)."), "Hello, world (ok).");
        assert_eq!(chinese("编号A.1"), "编号A.1");
    }
}
