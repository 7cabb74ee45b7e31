//! Chinese text for Concord: jieba tokens, the category classifier (a built-in lexicon
//! for the cold start, then what the center's own dispatchers confirmed), text similarity
//! for spotting the same matter twice, and the terms a case is found by. Pure: no I/O.

pub mod classify;
pub mod eval;
pub mod lexicon;
pub mod similar;
pub mod tokens;
