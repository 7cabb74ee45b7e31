//! Tokens of Chinese text: jieba words, and character bigrams for what jieba does not
//! know (names of places, typos, dialect).

use std::sync::OnceLock;

use jieba_rs::Jieba;

/// One jieba instance for the process: loading its dictionary takes a few hundred
/// milliseconds.
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Loads the dictionary now rather than on the first request.
pub fn warm_up() {
    let _ = jieba();
}

/// Words that say nothing about what a complaint is about.
const STOP_WORDS: &[&str] = &[
    "的", "了", "是", "在", "我", "你", "他", "她", "我们", "他们", "和", "与", "及", "或", "也",
    "都", "就", "还", "又", "被", "把", "对", "向", "从", "到", "给", "让", "将", "着", "过", "吗",
    "呢", "吧", "啊", "这", "那", "这个", "那个", "一个", "有", "没有", "不", "没", "很", "要",
    "会", "能", "说", "称", "其", "之", "该", "等", "某", "某某", "因", "为", "因为", "所以", "但",
    "但是", "可是", "并", "且", "而", "后", "时", "中", "里", "上", "下", "已", "已经", "现",
    "现在", "目前", "请", "希望", "反映", "来电", "来访", "市民", "群众", "人", "自己", "问题",
    "情况", "事情", "处理", "解决", "帮助", "帮忙", "一下", "一直", "多次", "年", "月", "日", "号",
    "元", "万元", "多", "个", "次",
];

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// A token worth keeping: has a Chinese character or is a word of letters.
fn meaningful(w: &str) -> bool {
    let cjk = w.chars().any(is_cjk);
    let alpha = w.chars().count() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic());
    (cjk || alpha) && !STOP_WORDS.contains(&w)
}

/// The words of `text`, in order, without punctuation and stop words.
pub fn words(text: &str) -> Vec<String> {
    jieba()
        .cut(text, true)
        .into_iter()
        .map(|t| t.word.trim())
        .filter(|w| meaningful(w))
        .map(str::to_string)
        .collect()
}

/// Pairs of adjacent Chinese characters, within runs of Chinese text.
pub fn bigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(2)
        .filter(|w| is_cjk(w[0]) && is_cjk(w[1]))
        .map(|w| w.iter().collect())
        .collect()
}

/// The terms a case is found by: the words of each text in jieba's search mode (long
/// words also as their parts) and every pair of adjacent Chinese characters, so that any
/// two-character piece of a name or a place finds it. Space-separated, for the database's
/// full-text index.
pub fn index_terms<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut terms: Vec<String> = Vec::new();
    for text in texts {
        terms.extend(
            jieba()
                .cut_for_search(text, true)
                .into_iter()
                .map(|t| t.word.trim().to_lowercase())
                .filter(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric)),
        );
        terms.extend(bigrams(text));
    }
    terms.sort_unstable();
    terms.dedup();
    terms.join(" ")
}

/// What a search query must match, each term required: the bigrams of its Chinese words
/// (present in every case whose text contains the word), its other words as they are.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for t in jieba().cut(query, true) {
        let w = t.word.trim().to_lowercase();
        if w.is_empty() || !w.chars().all(char::is_alphanumeric) {
            continue;
        }
        let cjk = w.chars().filter(|c| is_cjk(*c)).count();
        if cjk >= 2 && cjk == w.chars().count() {
            terms.extend(bigrams(&w));
        } else {
            terms.push(w);
        }
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_punctuation_and_stop_words() {
        let w = words("老板拖欠我三个月工资,一直不给!");
        assert!(w.contains(&"拖欠".to_string()), "{w:?}");
        assert!(
            !w.iter().any(|x| x == "," || x == "我" || x == "!"),
            "{w:?}"
        );
    }

    #[test]
    fn bigrams_stay_within_chinese_runs() {
        assert_eq!(bigrams("漏水ab楼上"), vec!["漏水", "楼上"]);
    }

    #[test]
    fn every_query_term_is_among_the_terms_of_a_text_that_contains_it() {
        let text = "白龙山街道大坪社区王某某家楼上漏水,物业不管";
        let indexed = index_terms([text]);
        let indexed: Vec<&str> = indexed.split(' ').collect();
        for q in ["漏水", "大坪社区", "王某某", "物业不管", "白龙山"] {
            let terms = query_terms(q);
            assert!(!terms.is_empty(), "{q}");
            for t in terms {
                assert!(indexed.contains(&t.as_str()), "{q}: {t} not in {indexed:?}");
            }
        }
        assert!(query_terms("!!").is_empty());
    }
}
