//! QR codes (码上反映): each region and each center has one that opens the public form
//! with the place filled in, as SVG for print and PNG for chat apps and notices.

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module in the PNG, and the quiet zone in modules.
const SCALE: usize = 8;
const QUIET: usize = 4;

fn code(data: &str) -> QrCode {
    // Level M survives a crease or a smudge on a printed notice.
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .expect("a URL fits in a QR code")
}

pub fn svg(data: &str) -> String {
    code(data)
        .render::<svg::Color>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build()
}

pub fn png(data: &str) -> Vec<u8> {
    let code = code(data);
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
            for y in my * SCALE..(my + 1) * SCALE {
                pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side as u32, side as u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().expect("PNG header");
    w.write_image_data(&pixels).expect("PNG data");
    w.finish().expect("PNG end");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_are_made() {
        let url = "http://127.0.0.1:8080/report?region=331125003002";
        assert!(svg(url).starts_with("<?xml"));
        let p = png(url);
        assert_eq!(&p[1..4], b"PNG");
    }
}
