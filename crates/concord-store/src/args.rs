//! Query parameters collected at run time (list filters, multi-row inserts), numbered as
//! they are pushed and bound in order on either backend.

/// One parameter value. Options bind as typed NULLs, which PostgreSQL needs.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    OptText(Option<String>),
    OptInt(Option<i64>),
    Bool(bool),
}

/// Parameters and the placeholders that name them: `$1, $2, …`, or for statements with
/// many parameters on SQLite, anonymous `?` (SQLite finds a named parameter by a linear
/// search, so binding n named parameters costs n², which a 64-case insert notices).
#[derive(Debug, Default)]
pub(crate) struct Args(pub Vec<Arg>, pub Marks);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marks {
    #[default]
    Numbered,
    Anonymous,
}

impl Args {
    pub fn new(marks: Marks) -> Self {
        Self(Vec::new(), marks)
    }

    /// Adds a value and returns its placeholder.
    pub fn push(&mut self, arg: Arg) -> String {
        self.0.push(arg);
        match self.1 {
            Marks::Numbered => format!("${}", self.0.len()),
            Marks::Anonymous => "?".into(),
        }
    }

    /// Adds a row of values and returns `($i, $i+1, …)`.
    pub fn row(&mut self, values: impl IntoIterator<Item = Arg>) -> String {
        let marks: Vec<String> = values.into_iter().map(|v| self.push(v)).collect();
        format!("({})", marks.join(", "))
    }
}

/// Binds every collected parameter to a query, in order.
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                $crate::args::Arg::Text(s) => q.bind(s.clone()),
                $crate::args::Arg::Int(i) => q.bind(*i),
                $crate::args::Arg::OptText(s) => q.bind(s.clone()),
                $crate::args::Arg::OptInt(i) => q.bind(*i),
                $crate::args::Arg::Bool(b) => q.bind(*b),
            };
        }
        q
    }};
}
pub(crate) use bind_all;
