//! Importing an existing ledger (导入台账): how every county starts. A spreadsheet's header row
//! is found and its columns matched by synonyms (the headings of real ledger forms, e.g. 收案时间,
//! 应诉机关, 行政管理类别, 结案方式), and each row becomes a validated proceeding with its parties
//! and outcome, or a precise reason why not. Pure: cells in (as text), rows or errors out.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::outcome::OutcomeCode;
use crate::proceeding::{
    PartyDraft, PartyInput, ProceedingDraft, ProceedingInput, ProceedingKind, ProceedingStatus,
};

macro_rules! fields {
    ($($v:ident: $header:literal, $required:literal, $hint:literal, [$($syn:literal),*];)+) => {
        /// A column huajie understands.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field { $($v,)+ }

        impl Field {
            /// In template order.
            pub const ALL: &'static [Field] = &[$(Field::$v,)+];

            /// The heading in the template.
            pub fn header(self) -> &'static str {
                match self { $(Field::$v => $header,)+ }
            }

            /// Required in every row.
            pub fn required(self) -> bool {
                match self { $(Field::$v => $required,)+ }
            }

            /// What to write in the column (the template's notes).
            pub fn hint(self) -> &'static str {
                match self { $(Field::$v => $hint,)+ }
            }

            /// Other headings meaning the same column (real ledger forms).
            pub fn synonyms(self) -> &'static [&'static str] {
                match self { $(Field::$v => &[$($syn),*],)+ }
            }
        }
    };
}

fields! {
    CaseNo: "案号", false, "法院案号，如（2024）浙0225行初12号；诉讼案件必填。再次导入同一案号时更新该案，不会重复", ["案号/文号", "案件号", "法院案号", "案件编号", "诉讼案号", "一审案号", "case_num", "case_no"];
    ReferenceNo: "内部编号", false, "复议、调解案件的文号或编号（如象政复〔2024〕12号）；没有案号的案件以此识别", ["复议案号", "复议文号", "文号", "受理号", "登记号", "编号", "reference_no"];
    Kind: "程序类型", false, "一审、二审、再审、行政复议、诉前调解、协调化解中心；不填时按案号推断", ["案件类别", "一审或二审", "审级", "程序", "案件性质", "kind"];
    RegisteredOn: "收案日期", true, "日期，如2024-03-05", ["收案时间", "登记日期", "受理日期", "收件日期", "receive_date", "registered_on"];
    Claimants: "原告（申请人）", true, "多人用顿号、逗号或分号分隔", ["原告/申请人", "原告", "原告姓名", "申请人", "申请人姓名", "当事人", "原告名称", "app_name", "claimants"];
    ClaimantKind: "原告类别", false, "公民 或 法人或其他组织；不填为公民", ["申请人类别", "原告类型", "当事人类别", "app_type"];
    ClaimantCount: "原告人数", false, "人数（可多于列出的姓名，如50名村民）；不填按列出的人数", ["原告总数", "申请人总数", "申请人人数", "原告数量", "app_num"];
    Defendants: "被告（被申请人）", true, "系统中的单位全称或简称；多个被告用顿号分隔，第一个为被告，其余为共同被告", ["被告/被申请人", "被告", "被告单位", "被告姓名", "应诉机关", "被申请人", "第一被告", "被诉单位", "被诉行政机关", "defendant", "defendants"];
    CoDefendants: "共同被告", false, "系统中的单位，多个用顿号分隔", ["第二被告", "共同被申请人", "复议机关（共同被告）"];
    Domain: "行政管理领域", true, "领域代码表中的名称，如征收拆迁、行政处罚", ["行政管理类别", "管理领域", "领域", "管理类别", "manage_type", "domain"];
    ActType: "行为类型", false, "行为类型代码表中的名称（可不填）", ["被诉行为类型", "具体行政行为类型", "案件类型", "case_type", "act_type"];
    Cause: "案由", false, "", ["诉讼请求", "行政复议请求", "被诉具体行政行为名称", "被诉行政行为", "具体行政行为", "case_cause", "cause"];
    Forum: "受理法院（复议机关）", false, "", ["应诉法院", "受理法院", "审理法院", "法院", "court", "forum"];
    Status: "办理状态", false, "在办、中止 或 已结；不填时有结案日期或结果的为已结，否则为在办", ["状态", "案件状态", "是否结案", "status"];
    ActOn: "行政行为作出日期", false, "日期", ["行为作出日期", "被诉行为作出日期"];
    ReceivedOn: "收到起诉状副本日期", false, "日期；在办案件据此生成答辩等期限", ["收到起诉状副本时间", "收到复议申请书副本日期", "应诉通知日期", "应诉通知", "notice_receiptDate", "received_on"];
    FiledOn: "立案（受理）日期", false, "法院立案或复议受理日期", ["立案日期", "立案时间", "法院立案日期", "受理时间", "filed_on"];
    Outcome: "结果", false, "如判决驳回诉讼请求、判决撤销、准予撤诉、复议维持、调解成功", ["结案方式", "审理结果", "裁判结果", "判决结果", "结案结果", "处理结果", "jieanType", "outcome"];
    DecidedOn: "裁判（决定）日期", false, "日期；不填时用结案日期", ["判决日期", "裁判日期", "裁定日期", "决定日期", "复议决定日期", "decided_on"];
    ClosedOn: "结案日期", false, "日期", ["结案时间", "审结日期", "结案日", "jieandate", "closed_on"];
    Summary: "备注", false, "", ["简要案情", "案情简介", "说明", "beizhu", "summary"];
}

/// A heading reduced for matching: no spaces, marks or brackets, half-width, lower case.
pub fn normalize_header(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '*' | '＊' | '(' | ')' | '（' | '）' | '[' | ']' | '【' | '】' | ':' | '：'
                )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

impl Field {
    fn matches(self, normalized: &str) -> bool {
        normalize_header(self.header()) == normalized
            || self
                .synonyms()
                .iter()
                .any(|s| normalize_header(s) == normalized)
    }

    /// The column a validation error of a draft field belongs to.
    fn of_draft_field(field: &str) -> Option<Field> {
        Some(match field.split(['.', '[']).next().unwrap_or("") {
            "case_no" => Field::CaseNo,
            "reference_no" => Field::ReferenceNo,
            "kind" => Field::Kind,
            "registered_on" => Field::RegisteredOn,
            "claimant_count" => Field::ClaimantCount,
            "domain" => Field::Domain,
            "act_type" => Field::ActType,
            "cause" => Field::Cause,
            "forum" => Field::Forum,
            "status" => Field::Status,
            "act_on" => Field::ActOn,
            "received_on" => Field::ReceivedOn,
            "filed_on" => Field::FiledOn,
            "decided_on" => Field::DecidedOn,
            "closed_on" => Field::ClosedOn,
            "summary" => Field::Summary,
            "parties" => Field::Claimants,
            _ => return None,
        })
    }
}

/// Which column holds which field, and where the data starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Index of the header row (0-based); data follows it.
    pub header_row: usize,
    pub columns: Vec<Option<Field>>,
    /// Headings that matched nothing (shown to the user, not an error).
    pub ignored: Vec<String>,
}

impl ColumnMap {
    fn col(&self, f: Field) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(f))
    }

    /// The recognised columns, as "表头 → 字段".
    pub fn describe(&self, headers: &[String]) -> Vec<(String, &'static str)> {
        self.columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.map(|f| (headers.get(i).cloned().unwrap_or_default(), f.header()))
            })
            .collect()
    }
}

/// Finds the header row among the first ten rows (real ledgers put a title and a unit line
/// above it) and matches its columns.
pub fn detect_columns(rows: &[Vec<String>]) -> Result<ColumnMap, String> {
    let mut best: Option<(usize, Vec<Option<Field>>, usize)> = None;
    for (r, row) in rows.iter().take(10).enumerate() {
        let mut used = Vec::new();
        let cols: Vec<Option<Field>> = row
            .iter()
            .map(|h| {
                let n = normalize_header(h);
                let f = Field::ALL
                    .iter()
                    .copied()
                    .find(|f| !n.is_empty() && !used.contains(f) && f.matches(&n));
                if let Some(f) = f {
                    used.push(f);
                }
                f
            })
            .collect();
        let hits = used.len();
        if hits >= 2 && best.as_ref().is_none_or(|b| hits > b.2) {
            best = Some((r, cols, hits));
        }
    }
    let Some((header_row, columns, _)) = best else {
        return Err("没有找到表头行：前10行中没有一行包含至少两个可识别的列名（如“案号”“收案日期”“原告”“被告”），请使用导入模板或修改表头".into());
    };
    let missing: Vec<String> = Field::ALL
        .iter()
        .filter(|f| f.required() && !columns.contains(&Some(**f)))
        .map(|f| {
            let mut names = vec![f.header()];
            names.extend(f.synonyms().iter().filter(|s| !s.is_ascii()).take(4));
            format!("“{}”（也可写作{}）", f.header(), names[1..].join("、"))
        })
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "第{}行表头缺少必需的列：{}",
            header_row + 1,
            missing.join("；")
        ));
    }
    let headers = &rows[header_row];
    let ignored = columns
        .iter()
        .enumerate()
        .filter(|(i, c)| c.is_none() && !headers[*i].trim().is_empty())
        .map(|(i, _)| headers[i].trim().to_string())
        .collect();
    Ok(ColumnMap {
        header_row,
        columns,
        ignored,
    })
}

/// Names and codes the rows are resolved against.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// Unit full names and short names (normalized) → unit id.
    pub units: HashMap<String, i64>,
    /// Domain labels and codes → code.
    pub domains: HashMap<String, String>,
    /// Act type labels and codes → code.
    pub act_types: HashMap<String, String>,
    pub domain_labels: Vec<String>,
}

impl Lookup {
    /// Registers a unit under its name and short name.
    pub fn add_unit(&mut self, id: i64, name: &str, short_name: Option<&str>) {
        self.units.insert(normalize_header(name), id);
        if let Some(s) = short_name {
            self.units.entry(normalize_header(s)).or_insert(id);
        }
    }

    pub fn add_domain(&mut self, code: &str, label: &str) {
        self.domains.insert(code.to_string(), code.to_string());
        self.domains.insert(label.to_string(), code.to_string());
        self.domain_labels.push(label.to_string());
    }

    pub fn add_act_type(&mut self, code: &str, label: &str) {
        self.act_types.insert(code.to_string(), code.to_string());
        self.act_types.insert(label.to_string(), code.to_string());
    }
}

/// One importable row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Spreadsheet row number (1-based), for messages.
    pub line: usize,
    /// 案号, or 内部编号 when there is no case number: what makes a re-import an update.
    pub key: String,
    pub proceeding: ProceedingInput,
    pub parties: Vec<PartyInput>,
    /// The outcome for every defendant, with its date.
    pub outcome: Option<(OutcomeCode, Date)>,
}

/// Why a row cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

/// Dates as ledgers write them: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305.
pub fn normalize_date(v: &str) -> Option<String> {
    let v = v.trim().trim_end_matches('日');
    if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..]));
    }
    let parts: Vec<&str> = v
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    // A time after the date ("2024-03-05 00:00:00") is ignored.
    let parts: Vec<&str> = match parts.as_slice() {
        [y, m, d] => vec![y, m, d.split_whitespace().next().unwrap_or("")],
        _ => return None,
    };
    let nums: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    match nums?.as_slice() {
        [y, m, d] if *y >= 1000 => Some(format!("{y:04}-{m:02}-{d:02}")),
        _ => None,
    }
}

fn split_names(v: &str) -> Vec<String> {
    v.split(['、', ',', '，', ';', '；', '/', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn kind_of(v: &str) -> Option<ProceedingKind> {
    use ProceedingKind as K;
    let n = normalize_header(v);
    if let Some(k) = K::from_code(&n) {
        return Some(k);
    }
    if let Some(k) = K::ALL.iter().find(|k| normalize_header(k.label()) == n) {
        return Some(*k);
    }
    Some(match n.as_str() {
        "一审行政诉讼" | "行政诉讼一审" | "行政诉讼" | "诉讼" => K::FirstInstance,
        "二审行政诉讼" | "行政诉讼二审" | "上诉" => K::SecondInstance,
        "再审行政诉讼" | "申请再审" => K::Retrial,
        "复议" => K::Reconsideration,
        "调解" | "行政调解" => K::PreLitigationMediation,
        "协调化解" | "化解中心" => K::DisputeCenter,
        _ => return None,
    })
}

/// The kind a court case number implies (行初 → 一审, 行终 → 二审, 行再/行申 → 再审).
fn kind_from_case_no(case_no: &str) -> Option<ProceedingKind> {
    if case_no.contains("行初") {
        Some(ProceedingKind::FirstInstance)
    } else if case_no.contains("行终") {
        Some(ProceedingKind::SecondInstance)
    } else if case_no.contains("行再") || case_no.contains("行申") {
        Some(ProceedingKind::Retrial)
    } else {
        None
    }
}

fn status_of(v: &str) -> Option<ProceedingStatus> {
    let n = normalize_header(v);
    if let Some(s) = ProceedingStatus::from_code(&n) {
        return Some(s);
    }
    Some(match n.as_str() {
        "在办" | "未结" | "审理中" | "办理中" | "未审结" | "否" => {
            ProceedingStatus::Pending
        }
        "中止" | "中止审理" => ProceedingStatus::Suspended,
        "已结" | "结案" | "已结案" | "审结" | "已审结" | "办结" | "是" => {
            ProceedingStatus::Concluded
        }
        _ => return None,
    })
}

/// Outcome by code, label or the wording of real ledger forms.
fn outcome_of(v: &str, kind: ProceedingKind) -> Option<OutcomeCode> {
    use OutcomeCode as O;
    let n = normalize_header(v);
    let candidates: Vec<O> = O::ALL
        .iter()
        .copied()
        .filter(|o| o.code() == n || normalize_header(o.label()) == n)
        .collect();
    if let Some(o) = candidates.iter().find(|o| o.applies_to(kind)) {
        return Some(*o);
    }
    let recon = kind == ProceedingKind::Reconsideration;
    let mediation = matches!(
        kind,
        ProceedingKind::PreLitigationMediation | ProceedingKind::DisputeCenter
    );
    let o = match n.as_str() {
        "驳回诉讼请求" | "判决驳回" | "驳回原告诉讼请求" => O::RejectClaims,
        "全部撤销" | "撤销" if !recon => O::Revoke,
        "部分撤销" => O::RevokePartial,
        "全部撤销并重作" | "部分撤销并重作" | "撤销并重作" => O::RevokeRedo,
        "履行法定职责" | "判决履行" => O::PerformDuty,
        "确认违法" if !recon => O::ConfirmIllegal,
        "准许原告主动撤诉" | "撤诉" | "原告撤诉" | "准许撤诉" => O::Withdraw,
        "准许原告因被告改变原行政行为撤诉" | "改变行为后撤诉" => {
            O::WithdrawAfterChange
        }
        "调解" if recon => O::ReconMediation,
        "调解" if mediation => O::MediationSettled,
        "调解" => O::Mediation,
        "维持" | "复议维持" => O::ReconUphold,
        "驳回" | "驳回申请" if recon => O::ReconRejectApplication,
        "撤销" => O::ReconRevoke,
        "变更" if recon => O::ReconModify,
        "确认违法" => O::ReconConfirmIllegal,
        "责令履行" => O::ReconOrderPerform,
        "撤回申请" | "撤回复议申请" => O::ReconWithdraw,
        "和解协议" | "和解" => O::ReconSettlement,
        "调解成功" => O::MediationSettled,
        "调解不成" | "调解失败" => O::MediationFailed,
        _ => return None,
    };
    o.applies_to(kind).then_some(o)
}

/// Turns the data rows (after the header row) into importable rows, or lists every reason why
/// rows cannot be imported. Empty rows are skipped; a key repeated in the file is an error.
pub fn parse_rows(
    rows: &[Vec<String>],
    map: &ColumnMap,
    lookup: &Lookup,
) -> (Vec<ImportRow>, Vec<RowError>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate().skip(map.header_row + 1) {
        let line = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match parse_row(row, line, map, lookup) {
            Ok(r) => match seen.get(&r.key) {
                Some(first) => errors.push(RowError {
                    line,
                    message: format!("案号（编号）“{}”与第{first}行重复", r.key),
                }),
                None => {
                    seen.insert(r.key.clone(), line);
                    ok.push(r);
                }
            },
            Err(mut e) => errors.append(&mut e),
        }
    }
    (ok, errors)
}

fn parse_row(
    row: &[String],
    line: usize,
    map: &ColumnMap,
    lookup: &Lookup,
) -> Result<ImportRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut err = |f: Option<Field>, msg: String| {
        errors.push(RowError {
            line,
            message: match f {
                Some(f) => format!("【{}】{msg}", f.header()),
                None => msg,
            },
        })
    };
    let get = |f: Field| -> Option<String> {
        map.col(f)
            .and_then(|c| row.get(c))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut case_no = get(Field::CaseNo);
    let mut reference_no = get(Field::ReferenceNo);
    let kind = match get(Field::Kind) {
        Some(v) => match kind_of(&v) {
            Some(k) => Some(k),
            None => {
                err(
                    Some(Field::Kind),
                    format!(
                        "“{v}”不是程序类型，应为一审、二审、再审、行政复议、诉前调解或协调化解中心"
                    ),
                );
                None
            }
        },
        None => match case_no.as_deref().and_then(kind_from_case_no) {
            Some(k) => Some(k),
            None => {
                err(
                    Some(Field::Kind),
                    "不能为空（案号中没有“行初”“行终”“行再”时，需写明程序类型）".into(),
                );
                None
            }
        },
    };
    // One "案号/文号" column: a reconsideration or mediation holds a file number there.
    if kind.is_some_and(|k| !k.is_litigation()) && reference_no.is_none() {
        reference_no = case_no.take();
    }
    let date = |f: Field, err: &mut dyn FnMut(Option<Field>, String)| -> Option<String> {
        let v = get(f)?;
        match normalize_date(&v) {
            Some(d) => Some(d),
            None => {
                err(
                    Some(f),
                    format!("“{v}”不是日期（应为2024-03-05、2024/3/5或2024年3月5日）"),
                );
                None
            }
        }
    };
    let registered_on = date(Field::RegisteredOn, &mut err);
    let act_on = date(Field::ActOn, &mut err);
    let received_on = date(Field::ReceivedOn, &mut err);
    let filed_on = date(Field::FiledOn, &mut err);
    let decided_on = date(Field::DecidedOn, &mut err);
    let closed_on = date(Field::ClosedOn, &mut err);
    let domain = get(Field::Domain).and_then(|v| match lookup.domains.get(&v) {
        Some(c) => Some(c.clone()),
        None => {
            let mut labels = lookup.domain_labels.clone();
            labels.truncate(12);
            err(
                Some(Field::Domain),
                format!("“{v}”不在领域代码表中（可选：{}等）", labels.join("、")),
            );
            None
        }
    });
    let act_type = get(Field::ActType).and_then(|v| match lookup.act_types.get(&v) {
        Some(c) => Some(c.clone()),
        None => {
            err(
                Some(Field::ActType),
                format!("“{v}”不在行为类型代码表中（可不填）"),
            );
            None
        }
    });
    let claimant_kind = match get(Field::ClaimantKind).as_deref() {
        None => "person",
        Some("公民" | "自然人" | "个人" | "person") => "person",
        Some("法人或其他组织" | "法人" | "其他组织" | "组织" | "企业" | "organization") => {
            "organization"
        }
        Some(v) => {
            err(
                Some(Field::ClaimantKind),
                format!("“{v}”应为“公民”或“法人或其他组织”"),
            );
            "person"
        }
    };
    let claimant_count = get(Field::ClaimantCount).and_then(|v| {
        match v
            .trim_end_matches('人')
            .trim_end_matches(".0")
            .parse::<i64>()
        {
            Ok(n) if n > 0 => Some(n),
            _ => {
                err(Some(Field::ClaimantCount), format!("“{v}”应为正整数"));
                None
            }
        }
    });
    let mut parties: Vec<PartyDraft> = get(Field::Claimants)
        .map(|v| split_names(&v))
        .unwrap_or_default()
        .into_iter()
        .map(|name| PartyDraft {
            role: Some("claimant".into()),
            kind: Some(claimant_kind.into()),
            name: Some(name),
            ..PartyDraft::default()
        })
        .collect();
    let unit = |name: &str, role: &str, err: &mut dyn FnMut(Option<Field>, String)| match lookup
        .units
        .get(&normalize_header(name))
    {
        Some(id) => Some(PartyDraft {
            role: Some(role.into()),
            kind: Some("agency".into()),
            name: Some(name.to_string()),
            unit_id: Some(*id),
            ..PartyDraft::default()
        }),
        None => {
            err(
                Some(Field::Defendants),
                format!("“{name}”不是系统中的单位（请先在“单位”中添加，或写单位全称、简称）"),
            );
            None
        }
    };
    let defendants = get(Field::Defendants)
        .map(|v| split_names(&v))
        .unwrap_or_default();
    for (i, d) in defendants.iter().enumerate() {
        let role = if i == 0 { "defendant" } else { "co_defendant" };
        parties.extend(unit(d, role, &mut err));
    }
    for d in get(Field::CoDefendants)
        .map(|v| split_names(&v))
        .unwrap_or_default()
    {
        parties.extend(unit(&d, "co_defendant", &mut err));
    }
    let outcome_text = get(Field::Outcome);
    let status = match get(Field::Status) {
        Some(v) => match status_of(&v) {
            Some(s) => Some(s),
            None => {
                err(Some(Field::Status), format!("“{v}”应为在办、中止或已结"));
                None
            }
        },
        None if outcome_text.is_some() || closed_on.is_some() => Some(ProceedingStatus::Concluded),
        None => Some(ProceedingStatus::Pending),
    };
    let outcome = match (&outcome_text, kind) {
        (Some(v), Some(k)) => match outcome_of(v, k) {
            Some(o) => match decided_on.clone().or(closed_on.clone()) {
                Some(d) => d.parse::<Date>().ok().map(|d| (o, d)),
                None => {
                    err(
                        Some(Field::DecidedOn),
                        "有结果时需填写裁判（决定）日期或结案日期".into(),
                    );
                    None
                }
            },
            None => {
                err(
                    Some(Field::Outcome),
                    format!("“{v}”不是{}案件的结果", k.label()),
                );
                None
            }
        },
        _ => None,
    };
    let draft = ProceedingDraft {
        kind: kind.map(|k| k.code().to_string()),
        case_no: case_no.clone(),
        reference_no: reference_no.clone(),
        status: status.map(|s| s.code().to_string()),
        domain,
        act_type,
        forum: get(Field::Forum),
        cause: get(Field::Cause),
        claimant_count,
        registered_on,
        act_on,
        received_on,
        filed_on,
        decided_on,
        closed_on,
        summary: get(Field::Summary),
        parties: Some(parties),
        ..ProceedingDraft::default()
    };
    let validated = draft.validate_new();
    if let Err(inv) = &validated {
        for e in &inv.0 {
            // Missing values already reported against their column are not repeated.
            let f = match e.code.as_str() {
                "defendant_required" => Some(Field::Defendants),
                _ => Field::of_draft_field(&e.field),
            };
            let dup = errors
                .iter()
                .any(|x| f.is_some_and(|f| x.message.starts_with(&format!("【{}】", f.header()))));
            if !dup {
                errors.push(RowError {
                    line,
                    message: match f {
                        Some(f) => format!("【{}】{}", f.header(), e.message),
                        None => e.message.clone(),
                    },
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (proceeding, parties) = validated.expect("no errors");
    let key = proceeding
        .case_no
        .as_ref()
        .map(|c| c.to_string())
        .or_else(|| proceeding.reference_no.clone());
    let Some(key) = key else {
        return Err(vec![RowError {
            line,
            message: "【案号】案号和内部编号至少填写一项（用于识别案件，再次导入时更新而不重复）"
                .into(),
        }]);
    };
    Ok(ImportRow {
        line,
        key,
        proceeding,
        parties,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup() -> Lookup {
        let mut l = Lookup::default();
        l.add_unit(7, "象山县自然资源和规划局", Some("县自然资源局"));
        l.add_unit(8, "象山县人民政府", None);
        l.add_domain("expropriation", "征收拆迁");
        l.add_domain("penalty", "行政处罚");
        l
    }

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_the_header_below_a_title_and_matches_synonyms() {
        let rows = vec![
            cells(&["象山县行政应诉案件登记表", "", ""]),
            cells(&["填报单位：县司法局"]),
            cells(&[
                "序号",
                "收案时间",
                "案件号",
                "原告姓名",
                "应诉机关",
                "行政管理类别",
                "结案方式",
                "结案时间",
                "承办人",
            ]),
        ];
        let m = detect_columns(&rows).unwrap();
        assert_eq!(m.header_row, 2);
        assert_eq!(m.columns[1], Some(Field::RegisteredOn));
        assert_eq!(m.columns[4], Some(Field::Defendants));
        assert_eq!(m.columns[6], Some(Field::Outcome));
        assert_eq!(m.ignored, vec!["序号".to_string(), "承办人".to_string()]);
        let e = detect_columns(&[cells(&["案号", "原告"])]).unwrap_err();
        assert!(e.contains("缺少必需的列") && e.contains("收案日期"), "{e}");
        assert!(
            detect_columns(&[cells(&["甲", "乙"])])
                .unwrap_err()
                .contains("没有找到表头行")
        );
    }

    #[test]
    fn rows_become_proceedings_or_precise_errors() {
        let rows = vec![
            cells(&[
                "案号",
                "收案日期",
                "原告",
                "被告",
                "领域",
                "结果",
                "结案日期",
            ]),
            cells(&[
                "（2024）浙0225行初12号",
                "2024/3/5",
                "张三、李四",
                "县自然资源局、象山县人民政府",
                "征收拆迁",
                "判决撤销",
                "2024年9月1日",
            ]),
            cells(&["", "", "", "", "", "", ""]),
            cells(&[
                "（2024）浙0225行初13号",
                "2024-13-01",
                "王五",
                "不存在局",
                "林业",
                "",
                "",
            ]),
            cells(&[
                "（2024）浙0225行初12号",
                "2024-03-06",
                "赵六",
                "象山县人民政府",
                "行政处罚",
                "",
                "",
            ]),
        ];
        let m = detect_columns(&rows).unwrap();
        let (ok, errors) = parse_rows(&rows, &m, &lookup());
        assert_eq!(ok.len(), 1);
        let r = &ok[0];
        assert_eq!(r.line, 2);
        assert_eq!(r.key, "（2024）浙0225行初12号");
        assert_eq!(
            r.proceeding.kind,
            ProceedingKind::FirstInstance,
            "from 行初"
        );
        assert_eq!(r.proceeding.status, ProceedingStatus::Concluded);
        assert_eq!(r.proceeding.claimant_count, 2);
        assert_eq!(r.parties.len(), 4);
        assert_eq!(r.parties[2].unit_id, Some(7));
        assert_eq!(
            r.outcome,
            Some((OutcomeCode::Revoke, jiff::civil::date(2024, 9, 1)))
        );
        let msgs: Vec<String> = errors
            .iter()
            .map(|e| format!("{}:{}", e.line, e.message))
            .collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("4:【收案日期】日期“2024-13-01”无效")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("4:【被告（被申请人）】“不存在局”不是系统中的单位")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("4:【行政管理领域】“林业”不在领域代码表中")),
            "{msgs:?}"
        );
        assert_eq!(msgs.len(), 4, "one message per problem: {msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m == "5:案号（编号）“（2024）浙0225行初12号”与第2行重复"),
            "{msgs:?}"
        );
    }

    #[test]
    fn dates_and_outcomes_as_ledgers_write_them() {
        assert_eq!(
            normalize_date("2024年3月5日").as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(normalize_date("2024.03.05").as_deref(), Some("2024-03-05"));
        assert_eq!(normalize_date("20240305").as_deref(), Some("2024-03-05"));
        assert_eq!(
            normalize_date("2024-03-05 00:00:00").as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(normalize_date("三月"), None);
        let r = ProceedingKind::Reconsideration;
        assert_eq!(outcome_of("维持", r), Some(OutcomeCode::ReconUphold));
        assert_eq!(outcome_of("撤销", r), Some(OutcomeCode::ReconRevoke));
        assert_eq!(
            outcome_of("撤销", ProceedingKind::FirstInstance),
            Some(OutcomeCode::Revoke)
        );
        assert_eq!(
            outcome_of("准许原告主动撤诉", ProceedingKind::FirstInstance),
            Some(OutcomeCode::Withdraw)
        );
        assert_eq!(outcome_of("维持", ProceedingKind::FirstInstance), None);
    }
}
