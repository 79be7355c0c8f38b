//! Excel export: any table as a sheet with Chinese headers, real dates (yyyy-mm-dd), rates as
//! percentages, a frozen header row and filters on every column.

use huajie_domain::records::LedgerRow;
use huajie_domain::stats::Figure;
use huajie_domain::stats::report::{FigureRow, FigureSet};
use jiff::civil::Date;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

use crate::OfficeError;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Number(f64),
    /// A fraction shown as a percentage (0.9942 → 99.42%).
    Percent(f64),
    Date(Date),
    Empty,
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

/// A sheet: name, header row, rows, and column widths in characters.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    /// Lines above the header (title, period, notes), each in the first column.
    pub caption: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub widths: Vec<f64>,
}

/// Writes the sheets into one workbook.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, OfficeError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let percent = Format::new().set_num_format("0.00%");
    let title = Format::new().set_bold().set_font_size(14);
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name)?;
        for (i, line) in s.caption.iter().enumerate() {
            if i == 0 {
                ws.write_string_with_format(0, 0, line, &title)?;
            } else {
                ws.write_string(i as u32, 0, line)?;
            }
        }
        let h = s.caption.len() as u32;
        for (c, name) in s.headers.iter().enumerate() {
            ws.write_string_with_format(h, c as u16, name, &header)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = h + 1 + r as u32;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Value::Text(t) => {
                        ws.write_string(r, c, t)?;
                    }
                    Value::Int(n) => {
                        ws.write_number(r, c, *n as f64)?;
                    }
                    Value::Number(n) => {
                        ws.write_number(r, c, *n)?;
                    }
                    Value::Percent(p) => {
                        ws.write_number_with_format(r, c, *p, &percent)?;
                    }
                    Value::Date(d) => {
                        ws.write_with_format(r, c, d, &date)?;
                    }
                    Value::Empty => {}
                }
            }
        }
        for (c, w) in s.widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_freeze_panes(h + 1, 0)?;
        if !s.headers.is_empty() {
            ws.autofilter(h, 0, h + s.rows.len() as u32, s.headers.len() as u16 - 1)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn date_or_empty(s: Option<&str>) -> Value {
    s.and_then(|d| d.parse::<Date>().ok())
        .map(Value::Date)
        .unwrap_or(Value::Empty)
}

/// The ledger columns, as on the ledger page.
pub fn ledger_sheet(
    rows: &[LedgerRow],
    domain_label: &dyn Fn(&str) -> String,
    caption: Vec<String>,
) -> Sheet {
    Sheet {
        name: "案件台账".into(),
        caption,
        headers: [
            "案号/文号",
            "程序",
            "状态",
            "领域",
            "原告/申请人",
            "原告人数",
            "被告/被申请人",
            "登记日期",
            "立案日期",
            "结案日期",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Value::Text(
                        r.case_no
                            .clone()
                            .or(r.reference_no.clone())
                            .unwrap_or_default(),
                    ),
                    r.kind.label().into(),
                    r.status.label().into(),
                    Value::Text(domain_label(&r.domain)),
                    Value::Text(r.claimants.clone()),
                    Value::Int(r.claimant_count),
                    Value::Text(r.defendants.clone()),
                    date_or_empty(Some(&r.registered_on)),
                    date_or_empty(r.filed_on.as_deref()),
                    date_or_empty(r.closed_on.as_deref()),
                ]
            })
            .collect(),
        widths: vec![26.0, 8.0, 6.0, 12.0, 24.0, 8.0, 24.0, 11.0, 11.0, 11.0],
    }
}

fn fig_value(f: &Figure) -> Value {
    match (f.denominator, f.value()) {
        (None, _) => Value::Int(f.numerator as i64),
        (Some(_), Some(v)) => Value::Percent(v / 100.0),
        (Some(_), None) => Value::Empty,
    }
}

fn change_text(r: &FigureRow, i: usize) -> Value {
    r.change(i)
        .map(|c| Value::Text(c.signed()))
        .unwrap_or(Value::Empty)
}

fn group_sheet(name: &str, set: &FigureSet, rows: &[FigureRow]) -> Sheet {
    let mut headers = vec!["名称".to_string()];
    for ind in &set.indicators {
        headers.push(ind.label.clone());
        if ind.is_rate {
            headers.push(format!("{}（分子）", ind.label));
            headers.push(format!("{}（分母）", ind.label));
        }
        headers.push(format!("{}（去年同期）", ind.label));
        headers.push(format!("{}（同比）", ind.label));
    }
    Sheet {
        name: name.into(),
        caption: vec![
            format!("{}{}", set.label, name),
            format!("对比期间：{}", set.previous.label()),
        ],
        widths: std::iter::once(22.0)
            .chain(std::iter::repeat_n(12.0, headers.len() - 1))
            .collect(),
        headers,
        rows: rows
            .iter()
            .map(|r| {
                let mut row = vec![Value::Text(format!(
                    "{}{}",
                    "  ".repeat(r.depth as usize),
                    r.name
                ))];
                for (i, ind) in set.indicators.iter().enumerate() {
                    row.push(fig_value(&r.current[i]));
                    if ind.is_rate {
                        row.push(Value::Int(r.current[i].numerator as i64));
                        row.push(Value::Int(r.current[i].denominator.unwrap_or(0) as i64));
                    }
                    row.push(fig_value(&r.previous[i]));
                    row.push(change_text(r, i));
                }
                row
            })
            .collect(),
    }
}

/// The statistics of a period: summary with formulas, by unit, by domain, by kind, assessment.
pub fn figure_set_sheets(set: &FigureSet) -> Vec<Sheet> {
    let summary = Sheet {
        name: "汇总".into(),
        caption: vec![
            format!("{}行政争议统计", set.label),
            format!(
                "对比期间：{}；同比：件数为变化百分比，比率为相差的百分点",
                set.previous.label()
            ),
        ],
        headers: ["指标", "本期", "分子", "分母", "去年同期", "同比", "口径"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: set
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                let f = set.total.current[i];
                vec![
                    Value::Text(ind.label.clone()),
                    fig_value(&f),
                    Value::Int(f.numerator as i64),
                    f.denominator
                        .map(|d| Value::Int(d as i64))
                        .unwrap_or(Value::Empty),
                    fig_value(&set.total.previous[i]),
                    change_text(&set.total, i),
                    Value::Text(ind.formula.clone()),
                ]
            })
            .collect(),
        widths: vec![22.0, 10.0, 8.0, 8.0, 10.0, 16.0, 90.0],
    };
    let mut units = vec![set.total.clone()];
    units.extend(set.units.iter().cloned());
    let assessment = Sheet {
        name: "排名与考核".into(),
        caption: vec![format!("{}单位败诉率排名与考核", set.label)],
        headers: [
            "败诉率排名",
            "单位",
            "审结",
            "败诉",
            "败诉率",
            "阈值",
            "超过阈值",
            "本年败诉",
            "约谈/通报",
            "未出庭",
            "非正职出庭",
            "仅律师出庭",
            "逾期答辩举证",
            "逾期报告",
            "考核得分",
            "等次",
            "不得评优",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: set
            .assessment
            .iter()
            .map(|a| {
                vec![
                    a.rank_by_rate
                        .map(|r| Value::Int(r as i64))
                        .unwrap_or(Value::Empty),
                    Value::Text(set.unit_name(a.unit_id)),
                    Value::Int(a.loss.denominator.unwrap_or(0) as i64),
                    Value::Int(a.loss.numerator as i64),
                    fig_value(&a.loss),
                    Value::Percent(a.threshold / 100.0),
                    (if a.over_threshold { "是" } else { "否" }).into(),
                    Value::Int(a.losses_in_year as i64),
                    Value::Text(a.escalation.clone().unwrap_or_default()),
                    Value::Int(a.non_appearances as i64),
                    Value::Int(a.not_principal as i64),
                    Value::Int(a.lawyer_only as i64),
                    Value::Int(a.late_filings as i64),
                    Value::Int(a.late_reports as i64),
                    Value::Number(a.score),
                    Value::Text(a.grade.clone()),
                    (if a.excellent_barred { "是" } else { "否" }).into(),
                ]
            })
            .collect(),
        widths: vec![
            10.0, 24.0, 8.0, 8.0, 10.0, 8.0, 8.0, 8.0, 28.0, 8.0, 10.0, 10.0, 12.0, 10.0, 10.0,
            8.0, 8.0,
        ],
    };
    vec![
        summary,
        group_sheet("按单位", set, &units),
        group_sheet("按领域", set, &set.domains),
        group_sheet("按程序类型", set, &set.kinds),
        assessment,
        loss_cause_sheet(set),
    ]
}

/// Litigation losses of the period by cause (rows) and domain (columns).
fn loss_cause_sheet(set: &FigureSet) -> Sheet {
    let lc = &set.loss_causes;
    let mut headers = vec!["败诉原因".to_string()];
    headers.extend(lc.domains.iter().map(|(_, l)| l.clone()));
    headers.push("合计".into());
    let mut rows: Vec<Vec<Value>> = lc
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![Value::Text(r.label.clone())];
            row.extend(r.counts.iter().map(|n| Value::Int(*n as i64)));
            row.push(Value::Int(r.total as i64));
            row
        })
        .collect();
    if !rows.is_empty() {
        let mut row = vec![Value::Text("败诉案件数".into())];
        row.extend(lc.domain_totals.iter().map(|n| Value::Int(*n as i64)));
        row.push(Value::Int(lc.total as i64));
        rows.push(row);
    }
    let mut widths = vec![24.0];
    widths.extend(std::iter::repeat_n(12.0, lc.domains.len() + 1));
    Sheet {
        name: "败诉原因".into(),
        caption: vec![
            format!("{}行政诉讼败诉原因（按领域）", set.label),
            "本期审结且按败诉口径计入的行政诉讼案件；一案有多项原因的分别计入各原因，败诉案件数每案只计一次".into(),
        ],
        headers,
        rows,
        widths,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    #[test]
    fn written_workbook_reads_back_with_dates_percentages_and_chinese_names() {
        let sheet = Sheet {
            name: "案件台账".into(),
            caption: vec!["标题".into()],
            headers: vec![
                "案号".into(),
                "登记日期".into(),
                "比率".into(),
                "件数".into(),
            ],
            rows: vec![vec![
                "（2024）浙0602行初1号".into(),
                Value::Date(jiff::civil::date(2024, 3, 1)),
                Value::Percent(0.9942),
                Value::Int(7),
            ]],
            widths: vec![20.0, 12.0, 10.0, 8.0],
        };
        let bytes = workbook(&[sheet]).unwrap();
        let mut x: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(x.sheet_names(), ["案件台账"]);
        let r = x.worksheet_range("案件台账").unwrap();
        assert_eq!(r.get_value((0, 0)), Some(&Data::String("标题".into())));
        assert_eq!(r.get_value((1, 1)), Some(&Data::String("登记日期".into())));
        assert_eq!(
            r.get_value((2, 0)),
            Some(&Data::String("（2024）浙0602行初1号".into()))
        );
        match r.get_value((2, 1)) {
            Some(Data::DateTime(d)) => {
                assert_eq!(d.as_f64(), 45352.0, "2024-03-01 as an Excel date serial")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(r.get_value((2, 2)), Some(&Data::Float(0.9942)));
        assert_eq!(r.get_value((2, 3)), Some(&Data::Float(7.0)));
        // Frozen header row and filters on every column.
        let xml = sheet_xml(&bytes, 1);
        assert!(
            xml.contains(
                r#"<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{xml}"
        );
        assert!(xml.contains(r#"<autoFilter ref="A2:D3"/>"#), "{xml}");
    }

    /// The XML of the n-th worksheet of a workbook.
    pub(crate) fn sheet_xml(bytes: &[u8], n: usize) -> String {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut f = z.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        s
    }
}
