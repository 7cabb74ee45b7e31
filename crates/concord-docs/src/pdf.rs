//! PDF output: one embedded TrueType font, subsetted to the glyphs used, written as a
//! Type0 font over a CIDFontType2 with Identity-H encoding (two-byte CIDs are the
//! subset's glyph ids) and a ToUnicode map, so that text extraction gives the Chinese
//! back. Lines are broken by measured width, Chinese anywhere, Latin words whole,
//! with the line-start punctuation rule (避头尾).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::{Block, Chart, ChartKind, Document, Table, number};

/// Noto Serif SC Regular (SIL Open Font License 1.1, fonts/OFL.txt): a 宋体-style face,
/// as formal documents use.
static FONT_DATA: &[u8] = include_bytes!("../fonts/NotoSerifSC-Regular.ttf");
const FONT_NAME: &str = "NotoSerifSC-Regular";

const A4: (f32, f32) = (595.28, 841.89);
const MM: f32 = 72.0 / 25.4;
/// Margins of the national standard for official documents (GB/T 9704): 37 mm top,
/// 35 mm bottom, 28 mm left, 26 mm right.
const MARGIN: (f32, f32, f32, f32) = (37.0 * MM, 35.0 * MM, 28.0 * MM, 26.0 * MM);

struct Font {
    face: ttf_parser::Face<'static>,
    upm: f32,
}

fn font() -> &'static Font {
    static FONT: OnceLock<Font> = OnceLock::new();
    FONT.get_or_init(|| {
        let face = ttf_parser::Face::parse(FONT_DATA, 0).expect("the bundled font parses");
        let upm = f32::from(face.units_per_em());
        Font { face, upm }
    })
}

impl Font {
    fn gid(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    /// Advance of an original glyph, in thousandths of an em.
    fn advance(&self, gid: u16) -> f32 {
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(gid))
                .unwrap_or(0),
        ) * 1000.0
            / self.upm
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(self.gid(c))).sum::<f32>() * size / 1000.0
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
    Right,
    Justify,
}

struct Style {
    size: f32,
    bold: bool,
    align: Align,
    /// First-line indent, in characters.
    indent: f32,
    /// Line height as a multiple of the size.
    leading: f32,
}

fn style(b: &Block) -> Style {
    let s = |size, bold, align, indent, leading| Style {
        size,
        bold,
        align,
        indent,
        leading,
    };
    match b {
        Block::Title(_) => s(22.0, true, Align::Center, 0.0, 2.0),
        Block::Number(_) => s(14.0, false, Align::Right, 0.0, 1.8),
        Block::Heading(_) => s(15.0, true, Align::Left, 2.0, 1.7),
        Block::Paragraph(_) => s(15.0, false, Align::Justify, 2.0, 1.7),
        Block::Line(_) => s(15.0, false, Align::Left, 0.0, 1.9),
        Block::Right(_) | Block::Space(_) => s(15.0, false, Align::Right, 0.0, 1.7),
        Block::Table(_) | Block::Chart(_) => s(10.5, false, Align::Left, 0.0, 1.8),
    }
}

/// Characters that must not begin a line: they hang at the end of the previous one.
fn no_line_start(c: char) -> bool {
    "，。、；：！？）》」』”’】〕…·,.;:!?)]%".contains(c)
}

/// Characters that must not end a line: they move to the next.
fn no_line_end(c: char) -> bool {
    "（《「『“‘【〔([".contains(c)
}

fn latin(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.')
}

/// Breaks `text` into lines no wider than `width` (the first `first` wide).
fn wrap(text: &str, size: f32, first: f32, width: f32) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    for c in text.chars() {
        match tokens.last_mut() {
            Some(t) if latin(c) && t.chars().last().is_some_and(latin) => t.push(c),
            _ => tokens.push(c.to_string()),
        }
    }
    let f = font();
    let (mut lines, mut cur, mut limit) = (Vec::new(), String::new(), first);
    for t in tokens {
        let candidate = format!("{cur}{t}");
        let hangs = t.chars().next().is_some_and(no_line_start);
        if cur.is_empty() || hangs || f.width(&candidate, size) <= limit + 0.01 {
            cur = candidate;
            continue;
        }
        let mut carry = String::new();
        while cur.chars().last().is_some_and(no_line_end) {
            carry.insert(0, cur.pop().expect("non-empty"));
        }
        lines.push(cur.trim_end().to_string());
        cur = format!("{carry}{}", t.trim_start());
        limit = width;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

struct Pages {
    remap: GlyphRemapper,
    /// Subset glyph id → the character it shows.
    to_unicode: BTreeMap<u16, char>,
    pages: Vec<Content>,
    y: f32,
}

impl Pages {
    fn new() -> Self {
        let mut p = Pages {
            remap: GlyphRemapper::new(),
            to_unicode: BTreeMap::new(),
            pages: Vec::new(),
            y: 0.0,
        };
        p.new_page();
        p
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = A4.1 - MARGIN.0;
    }

    fn width() -> f32 {
        A4.0 - MARGIN.2 - MARGIN.3
    }

    /// Two-byte CIDs for `s`, remembering what each stands for.
    fn encode(&mut self, s: &str) -> Vec<u8> {
        let f = font();
        let mut out = Vec::with_capacity(s.len() * 2);
        for c in s.chars() {
            let new = self.remap.remap(f.gid(c));
            self.to_unicode.entry(new).or_insert(c);
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }

    fn block(&mut self, b: &Block) {
        let text = match b {
            Block::Space(pt) => {
                self.y -= pt;
                return;
            }
            Block::Table(t) => return self.table(t),
            Block::Chart(c) => return self.chart(c),
            Block::Title(s)
            | Block::Number(s)
            | Block::Heading(s)
            | Block::Paragraph(s)
            | Block::Line(s)
            | Block::Right(s) => s,
        };
        let st = style(b);
        let indent = st.indent * st.size;
        let lines = wrap(text, st.size, Self::width() - indent, Self::width());
        for (i, line) in lines.iter().enumerate() {
            let last = i + 1 == lines.len();
            self.line(line, &st, if i == 0 { indent } else { 0.0 }, last);
        }
    }

    fn line(&mut self, line: &str, st: &Style, indent: f32, last: bool) {
        if self.y - st.size < MARGIN.1 {
            self.new_page();
        }
        self.y -= st.size;
        let f = font();
        let w = f.width(line, st.size);
        let avail = Self::width() - indent;
        let x0 = MARGIN.2 + indent;
        let (x, spacing) = match st.align {
            Align::Left => (x0, 0.0),
            Align::Center => (MARGIN.2 + (Self::width() - w) / 2.0, 0.0),
            Align::Right => (MARGIN.2 + Self::width() - w, 0.0),
            Align::Justify => {
                let n = line.chars().count();
                let extra = avail - w;
                let spread = !last && n > 1 && extra > 0.0;
                (x0, if spread { extra / (n - 1) as f32 } else { 0.0 })
            }
        };
        self.text_at(line, (x, self.y), st.size, st.bold, spacing);
        self.y -= st.size * (st.leading - 1.0);
    }

    /// Sets `s` with its baseline starting at `at`.
    fn text_at(&mut self, s: &str, at: (f32, f32), size: f32, bold: bool, spacing: f32) {
        let bytes = self.encode(s);
        let c = self.pages.last_mut().expect("a page");
        c.begin_text();
        c.set_font(Name(b"F1"), size);
        c.set_char_spacing(spacing);
        if bold {
            // Bold by stroking the outline too: one font file, and extraction unchanged.
            c.set_text_rendering_mode(TextRenderingMode::FillStroke);
            c.set_line_width(size * 0.03);
        } else {
            c.set_text_rendering_mode(TextRenderingMode::Fill);
        }
        c.next_line(at.0, at.1);
        c.show(Str(&bytes));
        c.end_text();
    }

    /// A new page unless `h` points are left on this one.
    fn room(&mut self, h: f32) {
        if self.y - h < MARGIN.1 {
            self.new_page();
        }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page")
    }

    fn table(&mut self, t: &Table) {
        let f = font();
        let n = t.head.len().max(1);
        let natural: Vec<f32> = (0..n)
            .map(|i| {
                std::iter::once(&t.head)
                    .chain(&t.rows)
                    .map(|r| r.get(i).map_or(0.0, |c| f.width(c, CELL)))
                    .fold(0.0, f32::max)
                    + 2.0 * PAD
            })
            .collect();
        let total: f32 = natural.iter().sum();
        let widths: Vec<f32> = natural.iter().map(|w| w * Self::width() / total).collect();
        self.y -= CELL * 0.5;
        self.room(2.0 * ROW);
        self.row(&t.head, &widths, true);
        for r in &t.rows {
            if self.y - ROW < MARGIN.1 {
                self.new_page();
                self.row(&t.head, &widths, true);
            }
            self.row(r, &widths, false);
        }
        self.y -= CELL;
    }

    /// One ruled row of a table; numbers right-aligned, the header shaded and bold.
    fn row(&mut self, cells: &[String], widths: &[f32], head: bool) {
        let (top, bottom) = (self.y, self.y - ROW);
        let c = self.page();
        if head {
            c.set_fill_gray(0.9);
            c.rect(MARGIN.2, bottom, Pages::width(), ROW);
            c.fill_nonzero();
            c.set_fill_gray(0.0);
        }
        c.set_line_width(0.5);
        c.rect(MARGIN.2, bottom, Pages::width(), ROW);
        let mut x = MARGIN.2;
        for w in &widths[..widths.len().saturating_sub(1)] {
            x += w;
            c.move_to(x, bottom);
            c.line_to(x, top);
        }
        c.stroke();
        let mut x = MARGIN.2;
        for (i, w) in widths.iter().enumerate() {
            let text = fit(cells.get(i).map_or("", String::as_str), w - 2.0 * PAD, CELL);
            let right = i > 0 && !head && looks_numeric(&text);
            let tx = if right {
                x + w - PAD - font().width(&text, CELL)
            } else {
                x + PAD
            };
            self.text_at(&text, (tx, bottom + ROW * 0.32), CELL, head, 0.0);
            x += w;
        }
        self.y = bottom;
    }

    fn chart_title(&mut self, title: &str) {
        self.y -= 14.0;
        self.text_at(title, (MARGIN.2, self.y), 12.0, true, 0.0);
        self.y -= 8.0;
    }

    fn chart(&mut self, ch: &Chart) {
        let max = ch.points.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) as f32;
        match ch.kind {
            ChartKind::Bars => self.bars(ch, max),
            ChartKind::Columns => self.columns(ch, max),
        }
    }

    fn bars(&mut self, ch: &Chart, max: f32) {
        const H: f32 = 15.0;
        self.room(3.0 * H + 22.0);
        self.chart_title(&ch.title);
        let f = font();
        let widest = ch
            .points
            .iter()
            .map(|p| f.width(&p.0, SMALL))
            .fold(0.0, f32::max);
        let label_w = widest.min(Self::width() * 0.3) + 6.0;
        let area = Self::width() - label_w - 40.0;
        for (label, v) in &ch.points {
            self.room(H);
            let base = self.y - H;
            let label = fit(label, label_w - 6.0, SMALL);
            self.text_at(&label, (MARGIN.2, base + 4.0), SMALL, false, 0.0);
            let len = (*v as f32 / max * area).max(0.5);
            let c = self.page();
            c.set_fill_rgb(0.25, 0.47, 0.72);
            c.rect(MARGIN.2 + label_w, base + 3.0, len, H - 6.0);
            c.fill_nonzero();
            c.set_fill_gray(0.0);
            let at = (MARGIN.2 + label_w + len + 3.0, base + 4.0);
            self.text_at(&number(*v), at, SMALL, false, 0.0);
            self.y = base;
        }
        self.y -= 10.0;
    }

    fn columns(&mut self, ch: &Chart, max: f32) {
        const PLOT: f32 = 140.0;
        self.room(PLOT + 60.0);
        self.chart_title(&ch.title);
        let base = self.y - 12.0 - PLOT;
        let n = ch.points.len().max(1);
        let slot = Self::width() / n as f32;
        let bw = slot * 0.7;
        let every = n.div_ceil(10);
        let c = self.page();
        c.set_line_width(0.5);
        c.move_to(MARGIN.2, base);
        c.line_to(MARGIN.2 + Pages::width(), base);
        c.stroke();
        for (i, (label, v)) in ch.points.iter().enumerate() {
            let x = MARGIN.2 + slot * i as f32 + (slot - bw) / 2.0;
            let h = *v as f32 / max * PLOT;
            let c = self.page();
            c.set_fill_rgb(0.25, 0.47, 0.72);
            c.rect(x, base, bw, h);
            c.fill_nonzero();
            c.set_fill_gray(0.0);
            let centre = |s: &str, size: f32| x + bw / 2.0 - font().width(s, size) / 2.0;
            if n <= 26 && *v > 0.0 {
                let s = number(*v);
                self.text_at(&s, (centre(&s, TINY), base + h + 2.0), TINY, false, 0.0);
            }
            if i % every == 0 {
                let at = (centre(label, TINY).max(MARGIN.2), base - 9.0);
                self.text_at(label, at, TINY, false, 0.0);
            }
        }
        self.y = base - 22.0;
    }
}

/// Table cells and chart labels: sizes, row height, padding.
const CELL: f32 = 10.5;
const ROW: f32 = CELL * 2.0;
const PAD: f32 = 4.0;
const SMALL: f32 = 9.0;
const TINY: f32 = 7.0;

/// The least height a block takes on a page: a chart whole, a table's header and first
/// row, two lines of text.
fn least_height(b: &Block) -> f32 {
    match b {
        Block::Chart(c) if c.kind == ChartKind::Columns => 22.0 + 12.0 + 140.0 + 22.0,
        Block::Chart(_) => 22.0 + 3.0 * 15.0,
        Block::Table(_) => CELL * 0.5 + 2.0 * ROW,
        Block::Space(pt) => *pt,
        other => {
            let st = style(other);
            2.0 * st.size * st.leading
        }
    }
}

/// `s`, cut with an ellipsis if wider than `width`.
fn fit(s: &str, width: f32, size: f32) -> String {
    let f = font();
    if f.width(s, size) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if f.width(&format!("{out}{c}…"), size) > width {
            break;
        }
        out.push(c);
    }
    out + "…"
}

fn looks_numeric(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || ".,%-—¥+()".contains(c))
}

fn zlib(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

pub fn render(doc: &Document) -> Vec<u8> {
    let mut pages = Pages::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        if let (Block::Heading(_), Some(next)) = (b, doc.blocks.get(i + 1)) {
            // A heading stays with what it heads.
            let st = style(b);
            pages.room(st.size * st.leading + least_height(next));
        }
        pages.block(b);
    }
    write(pages, &doc.title)
}

/// A subset's name tag: six letters from the glyphs it holds (PDF 9.6.4).
fn subset_tag(remap: &GlyphRemapper) -> String {
    let mut h: u32 = 2_166_136_261;
    for g in remap.remapped_gids() {
        h = (h ^ u32::from(g)).wrapping_mul(16_777_619);
    }
    (0..6)
        .map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char)
        .collect()
}

fn write(pages: Pages, title: &str) -> Vec<u8> {
    let f = font();
    let mut pdf = Pdf::new();
    let mut next = 0;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let (catalog, tree, info, type0, cid, descr, cmap_ref, file_ref) = (
        alloc(),
        alloc(),
        alloc(),
        alloc(),
        alloc(),
        alloc(),
        alloc(),
        alloc(),
    );
    let page_refs: Vec<(Ref, Ref)> = pages.pages.iter().map(|_| (alloc(), alloc())).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|p| p.0))
        .count(page_refs.len() as i32);
    for ((page_ref, content_ref), content) in page_refs.iter().zip(pages.pages) {
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1))
            .parent(tree)
            .contents(*content_ref);
        page.resources().fonts().pair(Name(b"F1"), type0);
        page.finish();
        pdf.stream(*content_ref, &zlib(&content.finish()))
            .filter(Filter::FlateDecode);
    }
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Concord"));

    let subset = subsetter::subset(FONT_DATA, 0, &pages.remap).expect("the bundled font subsets");
    let base = format!("{}+{FONT_NAME}", subset_tag(&pages.remap));
    let sys = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap_ref);
    let widths: Vec<f32> = pages
        .remap
        .remapped_gids()
        .map(|old| f.advance(old))
        .collect();
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2)
        .base_font(Name(base.as_bytes()))
        .system_info(sys)
        .font_descriptor(descr)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    c.widths().consecutive(0, widths);
    c.finish();
    let s = 1000.0 / f.upm;
    let bb = f.face.global_bounding_box();
    let scaled = |v: i16| f32::from(v) * s;
    pdf.font_descriptor(descr)
        .name(Name(base.as_bytes()))
        .flags(FontFlags::SYMBOLIC | FontFlags::SERIF)
        .bbox(Rect::new(
            scaled(bb.x_min),
            scaled(bb.y_min),
            scaled(bb.x_max),
            scaled(bb.y_max),
        ))
        .italic_angle(0.0)
        .ascent(scaled(f.face.ascender()))
        .descent(scaled(f.face.descender()))
        .cap_height(scaled(f.face.capital_height().unwrap_or(f.face.ascender())))
        .stem_v(10.0 + 0.244 * (f32::from(f.face.weight().to_number()) - 50.0))
        .font_file2(file_ref);
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), sys);
    for (&g, &ch) in &pages.to_unicode {
        cmap.pair(g, ch);
    }
    pdf.cmap(cmap_ref, &zlib(&cmap.finish()))
        .filter(Filter::FlateDecode);
    pdf.stream(file_ref, &zlib(&subset))
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_and_punctuation_never_starts_one() {
        let text = "双方系相邻关系,因围墙加高影响通风采光发生争执。经调解,双方自愿达成如下协议,并保证履行。Agreement No. ABC-2025/001 is effective.";
        let lines = wrap(text, 15.0, 200.0, 200.0);
        assert!(lines.len() > 3);
        for l in &lines {
            let first = l.chars().next().unwrap();
            assert!(!no_line_start(first), "{l}");
            let w = font().width(l.trim_end_matches(no_line_start), 15.0);
            assert!(w <= 200.01, "{l}: {w}");
        }
        assert!(
            lines.iter().any(|l| l.contains("ABC-2025/001")),
            "a Latin word stays whole"
        );
    }

    #[test]
    fn a_page_is_a_small_pdf_with_the_font_subsetted() {
        let doc = Document {
            title: "人民调解协议书".into(),
            blocks: vec![
                Block::Title("人民调解协议书".into()),
                Block::Paragraph("申请人王某某".into()),
            ],
        };
        let pdf = doc.to_pdf();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 100_000, "subsetted: {} bytes", pdf.len());
    }
}
