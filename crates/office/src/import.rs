//! Reading ledgers to import: the first worksheet of an Excel file (.xlsx, .xlsm, .xls, .ods)
//! or a CSV file (UTF-8, or GB18030 as saved by Chinese Excel), as rows of text cells; Excel
//! dates become YYYY-MM-DD. And the import template, with dropdowns for coded columns.

use calamine::{Data, Reader};
use huajie_domain::import::Field;
use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook};

use crate::OfficeError;

/// Largest number of rows read (a county's ledger is far smaller).
pub const MAX_ROWS: usize = 1_000_000;

/// 1899-12-30 + serial days (Excel's 1900 date system, with its leap-year bug already folded in
/// for dates after February 1900).
fn excel_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = jiff::civil::date(1899, 12, 30);
    base.checked_add(jiff::Span::new().days(serial.floor() as i64))
        .ok()
        .map(|d| d.to_string())
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => (if *b { "是" } else { "否" }).into(),
        Data::DateTime(d) => excel_date(d.as_f64()).unwrap_or_else(|| d.as_f64().to_string()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => String::new(),
    }
}

/// The first worksheet of a workbook, as text rows.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>, OfficeError> {
    let bad = |e: &dyn std::fmt::Display| {
        OfficeError(format!(
            "无法读取Excel文件（{e}）；请确认文件是.xlsx、.xls或.ods格式且没有损坏"
        ))
    };
    let mut wb =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| OfficeError("Excel文件中没有工作表".into()))?
        .map_err(|e| bad(&e))?;
    if range.height() > MAX_ROWS {
        return Err(OfficeError(format!(
            "表格有{}行，超过一次导入的上限{MAX_ROWS}行，请分成几个文件",
            range.height()
        )));
    }
    Ok(range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect())
}

/// Decodes CSV bytes: UTF-8 (with or without BOM), else GB18030.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// CSV (RFC 4180: quoted fields with doubled quotes and line breaks; comma, or tab when the
/// header line has tabs and no commas) as text rows.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, OfficeError> {
    let text = decode(bytes);
    let first = text.lines().next().unwrap_or("");
    let sep = if first.contains('\t') && !first.contains(',') {
        '\t'
    } else {
        ','
    };
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            c if c == sep => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                if rows.len() > MAX_ROWS {
                    return Err(OfficeError(format!(
                        "文件超过一次导入的上限{MAX_ROWS}行，请分成几个文件"
                    )));
                }
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(OfficeError(format!(
            "CSV文件第{}行有未闭合的引号",
            rows.len() + 1
        )));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

/// A ledger file by its name: .csv/.txt as CSV, everything else as a workbook.
pub fn read_table(bytes: &[u8], filename: &str) -> Result<Vec<Vec<String>>, OfficeError> {
    let lower = filename.to_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".txt") {
        read_csv(bytes)
    } else if [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        read_workbook(bytes)
    } else {
        Err(OfficeError(format!(
            "不支持的文件类型“{filename}”：请上传Excel（.xlsx、.xls）或CSV文件"
        )))
    }
}

/// The values offered in the template's dropdowns.
#[derive(Debug, Clone, Default)]
pub struct TemplateLists {
    pub kinds: Vec<String>,
    pub domains: Vec<String>,
    pub act_types: Vec<String>,
    pub statuses: Vec<String>,
    pub claimant_kinds: Vec<String>,
    pub outcomes: Vec<String>,
}

/// The import template: one sheet with the headings (required ones marked) and dropdowns on
/// the coded columns, a notes sheet, and the lists the dropdowns read from.
pub fn template(lists: &TemplateLists) -> Result<Vec<u8>, OfficeError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color("D9E1F2")
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let required = head.clone().set_font_color("C00000");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let columns: Vec<(Field, Option<&Vec<String>>)> = Field::ALL
        .iter()
        .map(|f| {
            let list = match f {
                Field::Kind => Some(&lists.kinds),
                Field::Domain => Some(&lists.domains),
                Field::ActType => Some(&lists.act_types),
                Field::Status => Some(&lists.statuses),
                Field::ClaimantKind => Some(&lists.claimant_kinds),
                Field::Outcome => Some(&lists.outcomes),
                _ => None,
            };
            (*f, list)
        })
        .collect();
    let last_row = 10_000;
    {
        let ws = wb.add_worksheet();
        ws.set_name("台账")?;
        for (c, (f, list)) in columns.iter().enumerate() {
            let c = c as u16;
            let title = if f.required() {
                format!("*{}", f.header())
            } else {
                f.header().to_string()
            };
            ws.write_string_with_format(
                0,
                c,
                &title,
                if f.required() { &required } else { &head },
            )?;
            ws.set_column_width(c, (f.header().chars().count() as f64 * 2.2).max(12.0))?;
            if f.header().contains("日期") {
                ws.set_column_format(c, &date)?;
            }
            if let Some(list) = list
                && !list.is_empty()
            {
                let letter = (b'A' + c as u8 % 26) as char;
                let formula = format!("=代码表!${letter}$2:${letter}${}", list.len() + 1);
                let dv = DataValidation::new()
                    .allow_list_formula(Formula::new(formula))
                    .set_error_message(format!("请从下拉列表中选择{}", f.header()))?;
                ws.add_data_validation(1, c, last_row, c, &dv)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填写说明")?;
        ws.write_string_with_format(0, 0, "列名", &head)?;
        ws.write_string_with_format(0, 1, "是否必填", &head)?;
        ws.write_string_with_format(0, 2, "填写说明", &head)?;
        ws.write_string_with_format(0, 3, "也可识别的列名", &head)?;
        for (r, f) in Field::ALL.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, f.header())?;
            ws.write_string(r, 1, if f.required() { "必填" } else { "" })?;
            ws.write_string(r, 2, f.hint())?;
            ws.write_string(r, 3, f.synonyms().join("、"))?;
        }
        ws.set_column_width(0, 22)?;
        ws.set_column_width(2, 70)?;
        ws.set_column_width(3, 60)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("代码表")?;
        for (c, (f, list)) in columns.iter().enumerate() {
            let Some(list) = list else { continue };
            ws.write_string_with_format(0, c as u16, f.header(), &head)?;
            for (r, v) in list.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, v)?;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_encodings_and_line_breaks() {
        let rows = read_csv(
            "\u{feff}案号,原告\r\n\"（2024）浙0225行初1号\",\"张三,\"\"李四\"\"\n王五\"\r\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![
                vec!["案号".to_string(), "原告".to_string()],
                vec![
                    "（2024）浙0225行初1号".to_string(),
                    "张三,\"李四\"\n王五".to_string()
                ],
            ]
        );
        let (gbk, _, _) = encoding_rs::GB18030.encode("收案日期,被告\n2024-03-05,县公安局\n");
        let rows = read_csv(&gbk).unwrap();
        assert_eq!(rows[1][1], "县公安局");
        assert!(read_csv(b"a,\"b\n").unwrap_err().0.contains("未闭合的引号"));
        assert_eq!(read_csv(b"a\tb\n1\t2").unwrap()[1], vec!["1", "2"]);
    }

    #[test]
    fn template_reads_back_with_dropdowns() {
        let lists = TemplateLists {
            kinds: vec!["一审".into(), "行政复议".into()],
            domains: vec!["征收拆迁".into()],
            ..TemplateLists::default()
        };
        let bytes = template(&lists).unwrap();
        let rows = read_workbook(&bytes).unwrap();
        assert_eq!(rows[0][0], "案号");
        assert!(rows[0].contains(&"*收案日期".to_string()));
        let map = huajie_domain::import::detect_columns(&rows).unwrap();
        assert_eq!(
            map.columns.iter().flatten().count(),
            Field::ALL.len(),
            "every heading is recognised"
        );
        let xml = crate::xlsx::tests::sheet_xml(&bytes, 1);
        assert!(xml.contains("<dataValidation type=\"list\""), "{xml}");
        assert!(xml.contains("代码表!$C$2:$C$3"), "{xml}");
        assert!(read_table(&bytes, "台账.XLSX").is_ok());
        assert!(
            read_table(b"x", "台账.pdf")
                .unwrap_err()
                .0
                .contains("不支持的文件类型")
        );
        assert!(
            read_table(b"not a zip", "台账.xlsx")
                .unwrap_err()
                .0
                .contains("无法读取Excel文件")
        );
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date(45356.0).as_deref(), Some("2024-03-05"));
        assert_eq!(excel_date(0.0), None);
    }
}
