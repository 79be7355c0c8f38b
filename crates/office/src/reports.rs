//! The documents leaders read, composed from a published figure set: the quarterly circular
//! (季度通报) to the units, and the half-year report (半年度报告) to the county government on
//! appearance, responses, risk cases and judgments (source 004, 二(五)2). Every sentence with a
//! figure is built from the figures; nothing is typed in.

use huajie_domain::outcome::{LossRule, OutcomeCode};
use huajie_domain::stats::Figure;
use huajie_domain::stats::config::StatsConfig;
use huajie_domain::stats::report::{FigureRow, FigureSet};
use huajie_domain::stats::review::{CaseLine, Issuer, ReviewDetail};
use jiff::civil::Date;

use crate::docx::{Block, Document, Table};

/// "2026年10月9日".
pub fn cn_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// 1 → 一, 12 → 十二, 20 → 二十; beyond 99 in Arabic digits.
pub fn numeral(n: usize) -> String {
    match n {
        1..=10 => NUMERALS[n - 1].to_string(),
        11..=19 => format!("十{}", NUMERALS[n - 11]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", NUMERALS[n / 10 - 1]),
        21..=99 => format!("{}十{}", NUMERALS[n / 10 - 1], NUMERALS[n % 10 - 1]),
        _ => n.to_string(),
    }
}

/// Numbers first-level headings "一、", "二、" … in order.
struct Headings(usize);

impl Headings {
    fn next(&mut self, text: &str) -> Block {
        let n = NUMERALS.get(self.0).copied().unwrap_or("十");
        self.0 += 1;
        Block::Heading(format!("{n}、{text}"))
    }
}

/// Numbers tables "表1", "表2" … in order.
struct Tables(usize);

impl Tables {
    fn next(&mut self, caption: &str) -> String {
        self.0 += 1;
        format!("表{} {caption}", self.0)
    }
}

/// "1207件（去年同期1660件，同比下降27.29%）" or "99.42%（690/694，去年同期84.40%，同比上升15.02个百分点）".
fn figure_phrase(row: &FigureRow, i: usize) -> String {
    let now = row.current[i];
    let before = row.previous[i];
    let change = row
        .change(i)
        .map(|c| format!("，{}", c.describe()))
        .unwrap_or_default();
    match now.denominator {
        None => format!(
            "{}件（去年同期{}件{change}）",
            now.numerator, before.numerator
        ),
        Some(0) => "无可计算的案件".into(),
        Some(d) => format!(
            "{}（{}/{d}，去年同期{}{change}）",
            now.display(),
            now.numerator,
            before.display()
        ),
    }
}

fn change_cell(row: &FigureRow, i: usize) -> String {
    row.change(i)
        .map(|c| c.signed())
        .unwrap_or_else(|| "—".into())
}

/// The indicators shown as columns of the unit and domain tables: the litigation and
/// reconsideration core when configured, else the first six.
fn table_columns(set: &FigureSet) -> Vec<usize> {
    let preferred = [
        "litigation_received",
        "litigation_concluded",
        "losses",
        "loss_rate",
        "appearance_rate",
        "recon_received",
        "correction_rate",
    ];
    let cols: Vec<usize> = preferred.iter().filter_map(|id| set.index(id)).collect();
    if cols.len() >= 3 {
        cols
    } else {
        (0..set.indicators.len().min(6)).collect()
    }
}

fn figure_table(set: &FigureSet, caption: String, first: &str, rows: &[&FigureRow]) -> Table {
    let cols = table_columns(set);
    let mut headers = vec![first.to_string()];
    headers.extend(cols.iter().map(|&i| set.indicators[i].label.clone()));
    let mut widths = vec![5];
    widths.extend(cols.iter().map(|_| 2));
    Table {
        caption,
        headers,
        rows: rows
            .iter()
            .map(|r| {
                let mut cells = vec![format!("{}{}", "　".repeat(r.depth as usize), r.name)];
                cells.extend(cols.iter().map(|&i| r.current[i].display()));
                cells
            })
            .collect(),
        widths,
        left: vec![0],
    }
}

/// "甲局、乙镇和丙办".
fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}和{last}", init.join("、")),
    }
}

/// The first count indicator (the "new cases" figure used to name the busiest groups).
fn first_count(set: &FigureSet) -> Option<usize> {
    ["suits_received", "litigation_received"]
        .iter()
        .find_map(|id| set.index(id))
        .or_else(|| set.indicators.iter().position(|i| !i.is_rate))
}

/// The top groups by a count: "甲局（12件）、乙镇（9件）".
/// Units are ranked below the top of the tree (the county itself holds every case).
fn busiest(rows: &[FigureRow], i: usize, n: usize) -> Vec<String> {
    let below_top = rows.iter().any(|r| r.depth > 0);
    let mut v: Vec<&FigureRow> = rows
        .iter()
        .filter(|r| r.current[i].numerator > 0 && (!below_top || r.depth > 0))
        .collect();
    v.sort_by(|a, b| b.current[i].numerator.cmp(&a.current[i].numerator));
    v.iter()
        .take(n)
        .map(|r| format!("{}（{}件）", r.name, r.current[i].numerator))
        .collect()
}

/// The assessment rows over the loss-rate threshold, by name.
fn over_threshold(set: &FigureSet) -> Vec<String> {
    set.assessment
        .iter()
        .filter(|a| a.over_threshold)
        .map(|a| format!("{}（{}）", set.unit_name(a.unit_id), a.loss.display()))
        .collect()
}

fn with_lawyer_only(set: &FigureSet) -> Vec<String> {
    set.assessment
        .iter()
        .filter(|a| a.lawyer_only > 0)
        .map(|a| format!("{}（{}次）", set.unit_name(a.unit_id), a.lawyer_only))
        .collect()
}

fn with_non_appearance(set: &FigureSet) -> Vec<String> {
    set.assessment
        .iter()
        .filter(|a| a.non_appearances > 0)
        .map(|a| format!("{}（{}件）", set.unit_name(a.unit_id), a.non_appearances))
        .collect()
}

/// The narrative of the overall figures: one clause per indicator.
fn overall_sentence(set: &FigureSet, ids: Option<&[&str]>) -> String {
    let clauses: Vec<String> = set
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, ind)| ids.is_none_or(|ids| ids.contains(&ind.id.as_str())))
        .map(|(i, ind)| format!("{}{}", ind.label, figure_phrase(&set.total, i)))
        .collect();
    format!("{}。", clauses.join("；"))
}

fn signature(issuer: &Issuer, on: Date) -> Block {
    Block::Signature {
        organ: issuer.organ.clone(),
        date: cn_date(on),
    }
}

/// The quarterly circular (季度通报) of a published figure set.
pub fn quarterly_circular(
    set: &FigureSet,
    cfg: &StatsConfig,
    issuer: &Issuer,
    issued_on: Date,
) -> Document {
    let whole = issuer.whole();
    let title = format!(
        "{}关于{}行政争议预防化解工作情况的通报",
        issuer.organ, set.label
    );
    let mut h = Headings(0);
    let mut t = Tables(0);
    let mut b = vec![
        Block::Title(title.clone()),
        Block::Addressee(issuer.addressee()),
        Block::Para(format!(
            "现将{}（{}至{}）{whole}行政诉讼、行政复议和行政争议化解工作情况通报如下。",
            set.label,
            cn_date(set.period.from),
            cn_date(set.period.to)
        )),
        h.next("总体情况"),
        Block::Para(format!(
            "{}，{whole}{}",
            set.label,
            overall_sentence(set, None)
        )),
    ];
    b.push(Block::Table(Table {
        caption: t.next("主要指标"),
        headers: ["指标", "本期", "去年同期", "同比"]
            .map(String::from)
            .to_vec(),
        rows: set
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                vec![
                    ind.label.clone(),
                    set.total.current[i].display(),
                    set.total.previous[i].display(),
                    change_cell(&set.total, i),
                ]
            })
            .collect(),
        widths: vec![4, 2, 2, 3],
        left: vec![0],
    }));

    b.push(h.next("各单位情况"));
    let count = first_count(set);
    let mut para = "各单位情况见下表（上级单位的数字含所属单位，一件案件有多个被告的，每个被告单位各计一件）。".to_string();
    if let Some(i) = count {
        let top = busiest(&set.units, i, 3);
        if !top.is_empty() {
            para.push_str(&format!(
                "{}较多的单位是{}。",
                set.indicators[i].label,
                top.join("、")
            ));
        }
    }
    b.push(Block::Para(para));
    let units: Vec<&FigureRow> = set.units.iter().collect();
    b.push(Block::Table(figure_table(
        set,
        t.next("各单位情况"),
        "单位",
        &units,
    )));

    b.push(h.next("各领域情况"));
    if let Some(i) = count {
        let top = busiest(&set.domains, i, 3);
        if !top.is_empty() {
            b.push(Block::Para(format!(
                "从行政管理领域看，案件主要集中在{}。",
                top.join("、")
            )));
        }
    }
    let domains: Vec<&FigureRow> = set.domains.iter().collect();
    b.push(Block::Table(figure_table(
        set,
        t.next("各领域情况"),
        "领域",
        &domains,
    )));

    b.push(h.next("败诉率排名与考核"));
    let a = &cfg.assessment;
    let over = over_threshold(set);
    let mut para = format!(
        "按败诉率从高到低排名如下表。败诉率控制目标为{}%以下，",
        a.loss_rate_threshold
    );
    if over.is_empty() {
        para.push_str("本期各单位败诉率均在控制目标以内。");
    } else {
        para.push_str(&format!("{}的败诉率超过控制目标。", list(&over)));
    }
    let barred: Vec<String> = set
        .assessment
        .iter()
        .filter(|x| x.excellent_barred)
        .map(|x| set.unit_name(x.unit_id))
        .collect();
    if !barred.is_empty() {
        let top = a.top_grade().unwrap_or("优秀");
        para.push_str(&format!(
            "败诉率排名前{}位的{}，本年度考核不得评为{top}。",
            a.excellent_barred_top,
            list(&barred)
        ));
    }
    b.push(Block::Para(para));
    b.push(Block::Table(Table {
        caption: t.next("败诉率排名与考核"),
        headers: [
            "排名",
            "单位",
            "审结",
            "败诉",
            "败诉率",
            "未出庭",
            "考核得分",
            "等次",
        ]
        .map(String::from)
        .to_vec(),
        rows: set
            .assessment
            .iter()
            .filter(|x| {
                x.loss.denominator.unwrap_or(0) > 0 || x.heard > 0 || x.score < a.start_score
            })
            .map(|x| {
                vec![
                    x.rank_by_rate
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "—".into()),
                    set.unit_name(x.unit_id),
                    x.loss.denominator.unwrap_or(0).to_string(),
                    x.loss.numerator.to_string(),
                    x.loss.display(),
                    x.non_appearances.to_string(),
                    format!("{:.1}", x.score),
                    x.grade.clone(),
                ]
            })
            .collect(),
        widths: vec![2, 6, 2, 2, 3, 2, 3, 2],
        left: vec![1],
    }));

    b.push(h.next("约谈与通报"));
    let escalated: Vec<_> = set
        .assessment
        .iter()
        .filter(|x| x.escalation.is_some())
        .collect();
    if escalated.is_empty() {
        b.push(Block::Para(format!(
            "本年度截至{}，尚无单位累计败诉案件数达到约谈标准。",
            cn_date(set.period.to)
        )));
    } else {
        let mut actions: Vec<&str> = escalated
            .iter()
            .filter_map(|x| x.escalation.as_deref())
            .collect();
        actions.dedup();
        let mut sentences = Vec::new();
        for action in actions {
            let names: Vec<String> = escalated
                .iter()
                .filter(|x| x.escalation.as_deref() == Some(action))
                .map(|x| format!("{}（{}件）", set.unit_name(x.unit_id), x.losses_in_year))
                .collect();
            sentences.push(format!("{}，{action}", list(&names)));
        }
        b.push(Block::Para(format!(
            "本年度截至{}，累计败诉案件数达到约谈标准的单位：{}。",
            cn_date(set.period.to),
            sentences.join("；")
        )));
        b.push(Block::Table(Table {
            caption: t.next("约谈与通报名单"),
            headers: ["单位", "本年度累计败诉", "处理措施"]
                .map(String::from)
                .to_vec(),
            rows: escalated
                .iter()
                .map(|x| {
                    vec![
                        set.unit_name(x.unit_id),
                        format!("{}件", x.losses_in_year),
                        x.escalation.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
            widths: vec![4, 2, 5],
            left: vec![0, 2],
        }));
    }

    b.push(h.next("工作要求"));
    let mut n = 0;
    let mut req = |text: String, b: &mut Vec<Block>| {
        n += 1;
        b.push(Block::Para(format!("（{}）{text}", NUMERALS[n - 1])));
    };
    if !over.is_empty() {
        req(
            format!(
                "{}要专题研究败诉原因，逐案分析，落实整改措施，确保败诉率回到控制目标以内。",
                list(
                    &set.assessment
                        .iter()
                        .filter(|a| a.over_threshold)
                        .map(|a| set.unit_name(a.unit_id))
                        .collect::<Vec<_>>()
                )
            ),
            &mut b,
        );
    }
    let absent = with_non_appearance(set);
    if !absent.is_empty() {
        req(
            format!(
                "{}存在行政机关负责人未出庭应诉的情况，要严格落实行政机关负责人出庭应诉制度，不得仅委托律师出庭。",
                list(&absent)
            ),
            &mut b,
        );
    }
    let lawyers = with_lawyer_only(set);
    if !lawyers.is_empty() {
        req(
            format!(
                "{}存在仅委托律师出庭的情况，已在考核中扣分，相关单位要认真整改。",
                list(&lawyers)
            ),
            &mut b,
        );
    }
    req(
        "各单位要对照本通报，加强行政争议源头预防和实质性化解，推动行政争议发案量和败诉率“双下降”。".into(),
        &mut b,
    );
    b.push(Block::Para(
        "附：指标口径（各项数字由系统按下列口径自动计算，可在系统中逐项查看对应案件）".into(),
    ));
    b.push(Block::Table(Table {
        caption: String::new(),
        headers: ["指标", "口径"].map(String::from).to_vec(),
        rows: set
            .indicators
            .iter()
            .map(|i| vec![i.label.clone(), i.formula.clone()])
            .collect(),
        widths: vec![2, 7],
        left: vec![0, 1],
    }));
    b.push(signature(issuer, issued_on));
    Document {
        title,
        author: issuer.organ.clone(),
        blocks: b,
    }
}

fn is_resolved(o: OutcomeCode) -> bool {
    use OutcomeCode as O;
    matches!(
        o,
        O::Withdraw
            | O::WithdrawAfterChange
            | O::WithdrawDeemed
            | O::Mediation
            | O::ReconMediation
            | O::ReconWithdraw
            | O::MediationSettled
    )
}

fn case_table(caption: String, date_label: &str, lines: &[CaseLine], state_label: &str) -> Table {
    Table {
        caption,
        headers: ["案号", "被诉单位", date_label, state_label]
            .map(String::from)
            .to_vec(),
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    if l.case_no.is_empty() {
                        "（未编号）".into()
                    } else {
                        l.case_no.clone()
                    },
                    l.units.clone(),
                    l.date.to_string(),
                    l.state.clone(),
                ]
            })
            .collect(),
        widths: vec![5, 4, 3, 6],
        left: vec![0, 1, 3],
    }
}

/// The half-year report (半年度报告) to the county government.
pub fn half_year_report(
    set: &FigureSet,
    cfg: &StatsConfig,
    loss: &LossRule,
    detail: &ReviewDetail,
    issuer: &Issuer,
    issued_on: Date,
) -> Document {
    let whole = issuer.whole();
    let title = format!(
        "{}关于{}行政机关负责人出庭应诉和行政应诉工作情况的报告",
        issuer.organ, set.label
    );
    let mut h = Headings(0);
    let mut t = Tables(0);
    let mut b = vec![
        Block::Title(title.clone()),
        Block::Addressee(format!("{}人民政府：", issuer.area)),
        Block::Para(format!(
            "根据行政应诉工作有关规定，现将{}（{}至{}）{whole}行政机关负责人出庭应诉、行政应诉工作、存在败诉风险案件的争议化解和履行生效裁判情况报告如下。",
            set.label,
            cn_date(set.period.from),
            cn_date(set.period.to)
        )),
    ];

    // 一、出庭
    b.push(h.next("行政机关负责人出庭应诉情况"));
    let ai = set.index(&cfg.assessment.appearance_indicator);
    let mut para = String::new();
    if let Some(i) = ai {
        let f: Figure = set.total.current[i];
        para.push_str(&format!(
            "{}，{whole}行政诉讼案件开庭审理{}件，行政机关负责人出庭应诉{}件，{}{}。",
            set.label,
            f.denominator.unwrap_or(0),
            f.numerator,
            set.indicators[i].label,
            figure_phrase(&set.total, i)
        ));
    }
    if detail.absences.is_empty() {
        para.push_str("开庭审理的案件均有行政机关负责人出庭应诉。");
    } else {
        para.push_str(&format!(
            "按被诉单位分别计算（一案有多个被告的，每个被告单位各计一次），负责人未出庭应诉{}件次，见下表。",
            detail.absences.len()
        ));
    }
    b.push(Block::Para(para));
    let mut heard: Vec<_> = set.assessment.iter().filter(|a| a.heard > 0).collect();
    heard.sort_by(|x, y| {
        (y.non_appearances, y.heard, x.unit_id).cmp(&(x.non_appearances, x.heard, y.unit_id))
    });
    if !heard.is_empty() {
        b.push(Block::Table(Table {
            caption: t.next("各单位负责人出庭应诉情况"),
            headers: ["单位", "开庭案件", "负责人出庭", "未出庭", "出庭率"]
                .map(String::from)
                .to_vec(),
            rows: heard
                .iter()
                .map(|a| {
                    let f = Figure {
                        numerator: a.heard - a.non_appearances,
                        denominator: Some(a.heard),
                    };
                    vec![
                        set.unit_name(a.unit_id),
                        a.heard.to_string(),
                        f.numerator.to_string(),
                        a.non_appearances.to_string(),
                        f.display(),
                    ]
                })
                .collect(),
            widths: vec![6, 2, 2, 2, 2],
            left: vec![0],
        }));
    }
    if !detail.absences.is_empty() {
        b.push(Block::Table(case_table(
            t.next("负责人未出庭应诉的案件"),
            "开庭日期",
            &detail.absences,
            "情况",
        )));
    }

    // 二、应诉
    b.push(h.next("行政应诉工作情况"));
    b.push(Block::Para(format!(
        "{}，{whole}{}",
        set.label,
        overall_sentence(
            set,
            Some(&[
                "litigation_received",
                "litigation_concluded",
                "losses",
                "loss_rate"
            ])
        )
    )));
    let sum = |f: fn(&huajie_domain::stats::review::RuleTally) -> u64| -> u64 {
        detail.deadlines.iter().map(f).sum()
    };
    if detail.deadlines.is_empty() {
        b.push(Block::Para("期内没有到期的应诉期限。".into()));
    } else {
        b.push(Block::Para(format!(
            "期内到期的被诉单位应诉期限{}个，按期完成{}个，逾期完成{}个，逾期未完成{}个，依法豁免{}个。",
            sum(|r| r.due),
            sum(|r| r.on_time),
            sum(|r| r.late),
            sum(|r| r.overdue),
            sum(|r| r.waived)
        )));
        b.push(Block::Table(Table {
            caption: t.next("应诉期限完成情况"),
            headers: [
                "期限事项",
                "到期",
                "按期完成",
                "逾期完成",
                "逾期未完成",
                "豁免",
                "按期率",
            ]
            .map(String::from)
            .to_vec(),
            rows: detail
                .deadlines
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        r.due.to_string(),
                        r.on_time.to_string(),
                        r.late.to_string(),
                        r.overdue.to_string(),
                        r.waived.to_string(),
                        r.on_time_rate()
                            .map(|v| format!("{v:.2}%"))
                            .unwrap_or_else(|| "—".into()),
                    ]
                })
                .collect(),
            widths: vec![7, 2, 2, 2, 2, 2, 2],
            left: vec![0],
        }));
    }

    // 三、风险案件
    b.push(h.next("存在败诉风险案件的争议化解情况"));
    let risk = &detail.risk_cases;
    if risk.is_empty() {
        b.push(Block::Para("期内没有收到败诉风险预警的案件。".into()));
    } else {
        let resolved = risk
            .iter()
            .filter(|l| l.outcome.is_some_and(is_resolved))
            .count();
        let lost = risk
            .iter()
            .filter(|l| l.outcome.is_some_and(|o| loss.is_loss(o)))
            .count();
        let open = risk.iter().filter(|l| l.outcome.is_none()).count();
        b.push(Block::Para(format!(
            "期内收到败诉风险预警的案件{}件，其中通过撤诉、调解等方式化解{}件，败诉{}件，尚未审结{}件，以其他方式结案{}件。",
            risk.len(),
            resolved,
            lost,
            open,
            risk.len() - resolved - lost - open
        )));
        b.push(Block::Table(case_table(
            t.next("存在败诉风险的案件"),
            "预警日期",
            risk,
            "现状",
        )));
    }

    // 四、生效裁判
    b.push(h.next("履行生效裁判情况"));
    if detail.losses.is_empty() {
        b.push(Block::Para("期内没有败诉案件。".into()));
    } else {
        let mut cases: Vec<i64> = detail.losses.iter().map(|l| l.proceeding_id).collect();
        cases.sort_unstable();
        cases.dedup();
        b.push(Block::Para(format!(
            "期内人民法院判决行政机关败诉的案件{}件（涉及被诉单位{}个次）。败诉单位应当依法自觉履行人民法院生效裁判，并按规定报送裁判文书备案和败诉分析报告，报送情况见下表。",
            cases.len(),
            detail.losses.len()
        )));
        b.push(Block::Table(case_table(
            t.next("败诉案件及报送情况"),
            "裁判日期",
            &detail.losses,
            "裁判结果及报送情况",
        )));
    }

    // 五、建议
    b.push(h.next("存在的问题和建议"));
    let mut n = 0;
    let mut req = |text: String, b: &mut Vec<Block>| {
        n += 1;
        b.push(Block::Para(format!("（{}）{text}", NUMERALS[n - 1])));
    };
    let absent = with_non_appearance(set);
    if !absent.is_empty() {
        req(
            format!(
                "{}存在负责人未出庭应诉的情况，建议由县政府予以通报，督促严格落实行政机关负责人出庭应诉制度。",
                list(&absent)
            ),
            &mut b,
        );
    }
    let overdue = sum(|r| r.overdue) + sum(|r| r.late);
    if overdue > 0 {
        req(
            format!(
                "期内有{overdue}个应诉期限未按期完成，建议相关单位明确应诉工作机构和人员，确保按期答辩举证、按期备案。"
            ),
            &mut b,
        );
    }
    let over = over_threshold(set);
    if !over.is_empty() {
        req(
            format!(
                "{}的败诉率超过控制目标，建议专题研究败诉原因，落实整改措施。",
                list(&over)
            ),
            &mut b,
        );
    }
    req(
        "加强败诉风险排摸和争议实质性化解，推动行政争议发案量和败诉率“双下降”。".into(),
        &mut b,
    );
    b.push(signature(issuer, issued_on));
    Document {
        title,
        author: issuer.organ.clone(),
        blocks: b,
    }
}
