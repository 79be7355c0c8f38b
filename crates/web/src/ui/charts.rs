//! Server-rendered SVG charts (no script, no external assets): grouped bars, horizontal bars and
//! lines. Black text on white with labelled values, so a printed page stays readable.

use std::fmt::Write;

/// Colours of the series, in order (dark enough to print in greyscale distinguishably).
pub const COLOURS: [&str; 4] = ["#1f4e79", "#c00000", "#7f7f7f", "#b8860b"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn fmt_num(v: f64, suffix: &str) -> String {
    if suffix.is_empty() && v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}{suffix}")
    }
}

fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if v <= m * p {
            return m * p;
        }
    }
    10.0 * p
}

fn open(title: &str, w: u32, h: u32) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\" class=\"chart\" font-family=\"sans-serif\" font-size=\"12\">\
         <title>{t}</title><rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\
         <text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\" fill=\"#000\">{t}</text>",
        t = esc(title)
    )
}

fn legend(svg: &mut String, names: &[&str], x0: f64, y: f64) {
    let mut x = x0;
    for (i, n) in names.iter().enumerate() {
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" fill=\"#000\">{}</text>",
            y - 9.0,
            COLOURS[i % COLOURS.len()],
            x + 14.0,
            y,
            esc(n)
        );
        x += 24.0 + 13.0 * n.chars().count() as f64;
    }
}

/// Vertical grouped bars per category (e.g. months), one bar per series.
pub fn grouped_bars(title: &str, categories: &[String], series: &[(&str, Vec<f64>)]) -> String {
    let (w, h) = (640.0, 260.0);
    let (left, right, top, bottom) = (40.0, 10.0, 44.0, 36.0);
    let max = nice_max(
        series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(0.0, f64::max),
    );
    let mut svg = open(title, w as u32, h as u32);
    let names: Vec<&str> = series.iter().map(|(n, _)| *n).collect();
    legend(&mut svg, &names, 220.0, 18.0);
    let plot_h = h - top - bottom;
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let y = top + plot_h - plot_h * k as f64 / 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            w - right,
            left - 4.0,
            y + 4.0,
            fmt_num(v, "")
        );
    }
    let n = categories.len().max(1) as f64;
    let slot = (w - left - right) / n;
    let bw = (slot * 0.8 / series.len().max(1) as f64).min(22.0);
    for (ci, c) in categories.iter().enumerate() {
        let x0 = left + slot * ci as f64 + (slot - bw * series.len() as f64) / 2.0;
        for (si, (_, vals)) in series.iter().enumerate() {
            let v = vals.get(ci).copied().unwrap_or(0.0);
            let bh = plot_h * v / max;
            let x = x0 + bw * si as f64;
            let y = top + plot_h - bh;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{}：{}</title></rect>",
                bw - 1.0,
                COLOURS[si % COLOURS.len()],
                esc(c),
                fmt_num(v, "")
            );
            if v > 0.0 {
                let _ = write!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\" fill=\"#000\">{}</text>",
                    x + bw / 2.0,
                    y - 2.0,
                    fmt_num(v, "")
                );
            }
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#000\">{}</text>",
            left + slot * ci as f64 + slot / 2.0,
            h - bottom + 16.0,
            esc(c)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one per item (label, value), largest first as given; optional reference
/// line (e.g. the 8% threshold).
pub fn hbars(
    title: &str,
    items: &[(String, f64)],
    suffix: &str,
    reference: Option<(f64, &str)>,
) -> String {
    let row = 22.0;
    let (left, right, top) = (150.0, 60.0, 34.0);
    let w = 640.0;
    let h = top + row * items.len().max(1) as f64 + 20.0;
    let max = nice_max(
        items
            .iter()
            .map(|(_, v)| *v)
            .chain(reference.map(|r| r.0))
            .fold(0.0, f64::max),
    );
    let mut svg = open(title, w as u32, h as u32);
    let plot_w = w - left - right;
    if items.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"{left}\" y=\"{}\" fill=\"#333\">本期没有数据</text>",
            top + 14.0
        );
    }
    for (i, (label, v)) in items.iter().enumerate() {
        let y = top + row * i as f64;
        let bw = plot_w * v / max;
        let short: String = label.chars().take(11).collect();
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#000\">{}</text>\
             <rect x=\"{left}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}：{}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#000\">{}</text>",
            left - 6.0,
            y + 14.0,
            esc(&short),
            y + 3.0,
            row - 6.0,
            match reference {
                Some((r, _)) if *v > r => COLOURS[1],
                _ => COLOURS[0],
            },
            esc(label),
            fmt_num(*v, suffix),
            left + bw + 4.0,
            y + 14.0,
            fmt_num(*v, suffix)
        );
    }
    if let Some((r, name)) = reference {
        let x = left + plot_w * r / max;
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{}\" y2=\"{:.1}\" stroke=\"#c00000\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#c00000\">{}</text>",
            top - 4.0,
            h - 18.0,
            top - 6.0,
            esc(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Lines over categories; `None` leaves a gap (e.g. a rate without cases that month).
pub fn lines(
    title: &str,
    categories: &[String],
    series: &[(&str, Vec<Option<f64>>)],
    suffix: &str,
    max: Option<f64>,
) -> String {
    let (w, h) = (640.0, 240.0);
    let (left, right, top, bottom) = (44.0, 14.0, 44.0, 36.0);
    let max = max.unwrap_or_else(|| {
        nice_max(
            series
                .iter()
                .flat_map(|(_, v)| v.iter().flatten().copied())
                .fold(0.0, f64::max),
        )
    });
    let mut svg = open(title, w as u32, h as u32);
    let names: Vec<&str> = series.iter().map(|(n, _)| *n).collect();
    legend(&mut svg, &names, 260.0, 18.0);
    let plot_h = h - top - bottom;
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let y = top + plot_h - plot_h * k as f64 / 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            w - right,
            left - 4.0,
            y + 4.0,
            fmt_num(v, suffix)
        );
    }
    let n = categories.len().max(1) as f64;
    let slot = (w - left - right) / n;
    let x_of = |i: usize| left + slot * i as f64 + slot / 2.0;
    for (i, c) in categories.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#000\">{}</text>",
            x_of(i),
            h - bottom + 16.0,
            esc(c)
        );
    }
    for (si, (_, vals)) in series.iter().enumerate() {
        let colour = COLOURS[si % COLOURS.len()];
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in vals.iter().enumerate() {
            match v {
                Some(v) => {
                    let y = top + plot_h - plot_h * v.min(max) / max;
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x_of(i),
                        y
                    );
                    pen_down = true;
                    let _ = write!(
                        svg,
                        "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"><title>{}：{}</title></circle>\
                         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\" fill=\"#000\">{}</text>",
                        x_of(i),
                        esc(&categories[i.min(categories.len().saturating_sub(1))]),
                        fmt_num(*v, suffix),
                        x_of(i),
                        y - 6.0,
                        fmt_num(*v, suffix)
                    );
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            svg,
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            d.trim()
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_self_contained_svg_with_escaped_labels() {
        let b = grouped_bars(
            "收案趋势",
            &["1月".into(), "2月".into()],
            &[("诉讼", vec![3.0, 0.0]), ("复议", vec![1.0, 2.0])],
        );
        assert!(b.starts_with("<svg") && b.ends_with("</svg>"));
        assert!(b.contains("1月") && b.contains(">3<"));
        assert!(
            !b.contains("http://") || b.matches("http://").count() == 1,
            "only the SVG namespace"
        );
        let h = hbars(
            "败诉率",
            &[("A<B>".into(), 12.5), ("C".into(), 4.0)],
            "%",
            Some((8.0, "阈值8%")),
        );
        assert!(h.contains("A&lt;B&gt;") && h.contains("12.5%") && h.contains("阈值8%"));
        assert!(h.contains("#c00000"), "over the threshold in red");
        let l = lines(
            "出庭率",
            &["1月".into(), "2月".into(), "3月".into()],
            &[("出庭率", vec![Some(90.0), None, Some(100.0)])],
            "%",
            Some(100.0),
        );
        let d = l
            .split("<path d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(
            d.matches('M').count(),
            2,
            "a month without cases breaks the line: {d}"
        );
        assert!(l.contains("100.0%"));
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(130.0), 200.0);
        assert_eq!(nice_max(0.0), 1.0);
    }
}
