//! The draft 败诉分析报告 (loss analysis report) a losing unit owes within 20 days of the
//! judgment taking effect (source 004, 二(四)2): 基本案情, 法院裁判理由 (quoting the court's
//! 本院认为 part), 败诉原因分析, 裁判落实情况, 整改措施. Everything the records and the
//! confirmed reading know is filled in; what only the unit can write is a marked placeholder
//! (【……】) with the questions to answer.

use huajie_domain::outcome::Ground;
use huajie_domain::reading::{ConfirmedOutcome, ReadingProposal};
use huajie_domain::records::Proceeding;
use huajie_domain::stats::review::Issuer;
use jiff::civil::Date;

use crate::docx::{Block, Document};
use crate::reports::cn_date;

/// What the report is composed from.
pub struct LossReportInput<'a> {
    pub proceeding: &'a Proceeding,
    /// The losing defendant's confirmed outcome.
    pub outcome: &'a ConfirmedOutcome,
    pub proposal: &'a ReadingProposal,
    pub effective_on: Option<Date>,
    /// Due date of the loss report deadline, when one is tracked.
    pub due_on: Option<Date>,
    /// Domain label (领域).
    pub domain: String,
    pub issuer: &'a Issuer,
}

fn date_text(s: &str) -> String {
    s.parse::<Date>().map(cn_date).unwrap_or_else(|_| s.into())
}

/// Questions that guide the analysis of each cause.
fn guide(g: Ground) -> &'static str {
    match g {
        Ground::InsufficientEvidence => {
            "作出行政行为时认定的事实有哪些证据、缺少哪些关键证据，调查取证和证据审查环节的问题在哪里"
        }
        Ground::WrongLaw => {
            "适用了哪些依据、错在何处（条款、效力层级、新旧法衔接），法制审核是否把关"
        }
        Ground::IllegalProcedure => {
            "违反了哪一程序环节（告知、听证、送达、期限、回避等），程序规范和文书模板有无缺陷"
        }
        Ground::UltraVires => "职权依据是什么，为何超出法定权限（地域、级别、事项）",
        Ground::AbuseOfPower => "裁量基准是否明确、是否考虑了不相关因素",
        Ground::ObviouslyImproper => "处理结果与违法情节是否相当，裁量基准执行情况",
        Ground::FailureToPerform | Ground::FailureToPay => {
            "申请或法定职责的办理情况、拖延或未履行的原因、内部流转环节"
        }
        Ground::GrossIllegality => "实施主体资格和法律依据问题从何而来",
        Ground::NoRevocableContent | Ground::ChangedAct => "违法之处及已采取的补正、改变措施",
        Ground::AgreementBreach => "协议订立、履行、变更解除各环节的问题",
        Ground::PassiveDefence => "答辩举证、出庭应诉、与法院沟通方面的不足",
        Ground::OtherCause => "败诉的具体原因",
    }
}

/// Composes the draft report.
pub fn loss_analysis_report(input: &LossReportInput) -> Document {
    let p = input.proceeding;
    let o = input.outcome;
    let r = input.proposal;
    let unit = o.party_name.clone();
    let case_no = p
        .case_no
        .clone()
        .or_else(|| r.case_number.clone())
        .unwrap_or_else(|| "（案号未登记）".into());
    let court = r
        .court
        .clone()
        .or_else(|| p.forum.clone())
        .unwrap_or_else(|| "人民法院".into());
    let title = format!("{unit}关于{case_no}行政诉讼案件败诉情况的分析报告");
    let claimants: Vec<&str> = p
        .parties
        .iter()
        .filter(|x| x.role == huajie_domain::proceeding::PartyRole::Claimant)
        .map(|x| x.name.as_str())
        .collect();
    let mut b = vec![
        Block::Title(title.clone()),
        Block::Addressee(format!(
            "{}建设法治政府（依法行政）联席会议办公室、{}：",
            input.issuer.area, input.issuer.organ
        )),
    ];
    let mut intro = format!(
        "{}作出的{case_no}{}已于",
        court,
        r.doc_kind.as_deref().unwrap_or("裁判文书")
    );
    match input.effective_on {
        Some(d) => intro.push_str(&format!("{}发生法律效力", cn_date(d))),
        None => intro.push_str("【生效日期】发生法律效力"),
    }
    intro.push_str(&format!("，本单位在该案中败诉（{}）。", o.code_label));
    if let Some(due) = input.due_on {
        intro.push_str(&format!(
            "按照以案促改的要求，现将败诉情况分析报告如下（报送期限：{}）。",
            cn_date(due)
        ));
    } else {
        intro.push_str("按照以案促改的要求，现将败诉情况分析报告如下。");
    }
    b.push(Block::Para(intro));

    // 一、基本案情
    b.push(Block::Heading("一、基本案情".into()));
    let mut facts = format!(
        "原告{}不服本单位{}，",
        if claimants.is_empty() {
            "【原告】".to_string()
        } else {
            claimants.join("、")
        },
        p.cause
            .clone()
            .or_else(|| p.act_type.clone())
            .unwrap_or_else(|| "作出的行政行为".into())
    );
    match &p.filed_on {
        Some(d) => facts.push_str(&format!("于{}向{court}提起行政诉讼", date_text(d))),
        None => facts.push_str(&format!("向{court}提起行政诉讼")),
    }
    facts.push_str(&format!("（{}领域）。", input.domain));
    if let Some(s) = &p.summary {
        facts.push_str(s.trim_end_matches('。'));
        facts.push('。');
    }
    facts.push_str(&format!(
        "{court}于{}作出{}，",
        date_text(&o.decided_on),
        r.doc_kind.as_deref().unwrap_or("裁判")
    ));
    if r.disposition_items.is_empty() {
        facts.push_str(&format!("结果为{}。", o.code_label));
    } else {
        facts.push_str("主文如下：");
    }
    b.push(Block::Para(facts));
    for (i, item) in r.disposition_items.iter().enumerate() {
        let item = item.trim_start_matches(|c: char| {
            c.is_ascii_digit() || "一二三四五六七八九十、.．".contains(c)
        });
        b.push(Block::Para(format!(
            "{}、{}",
            crate::reports::numeral(i + 1),
            item
        )));
    }

    // 二、法院裁判理由
    b.push(Block::Heading("二、法院裁判理由".into()));
    match &r.reasoning {
        Some(text) => {
            b.push(Block::Para("法院在裁判文书中认为：".into()));
            for para in text.split('\n').filter(|l| !l.trim().is_empty()) {
                b.push(Block::Para(format!("“{}”", para.trim())));
            }
        }
        None => b.push(Block::Para(
            "【裁判文书中未识别出“本院认为”部分，请摘录法院的裁判理由】".into(),
        )),
    }
    if !r.legal_basis.is_empty() {
        b.push(Block::Para(format!(
            "裁判依据：{}。",
            r.legal_basis.join("；")
        )));
    }

    // 三、败诉原因分析
    b.push(Block::Heading("三、败诉原因分析".into()));
    if o.grounds.is_empty() {
        b.push(Block::Para(
            "【败诉原因未确认，请对照裁判理由写明本案败诉的原因】".into(),
        ));
    } else {
        let list: Vec<&str> = o.grounds.iter().map(|g| g.label()).collect();
        b.push(Block::Para(format!(
            "对照法院裁判理由，本案败诉原因归为{}项：{}。",
            crate::reports::numeral(list.len()),
            list.join("、")
        )));
        for (i, g) in o.grounds.iter().enumerate() {
            b.push(Block::Subheading(format!(
                "（{}）{}",
                crate::reports::numeral(i + 1),
                g.label()
            )));
            b.push(Block::Para(format!("【请写明：{}。】", guide(*g))));
        }
    }
    if !r.ground_evidence.is_empty() {
        b.push(Block::Para(format!(
            "裁判文书中的相关依据：{}。",
            r.ground_evidence.join("；")
        )));
    }

    // 四、裁判落实情况
    b.push(Block::Heading("四、裁判落实情况".into()));
    b.push(Block::Para(format!(
        "本案判决结果为{}。【请写明履行生效裁判的情况：是否已履行、履行时间和方式；需要重新作出行政行为或履行职责的，写明办理进度和预计完成时间；是否上诉或申请再审及理由。】",
        o.code_label
    )));

    // 五、整改措施
    b.push(Block::Heading("五、整改措施".into()));
    b.push(Block::Para(
        "【请针对上述败诉原因逐项写明整改措施、责任科室（人员）和完成时限，以及对同类执法行为的排查和制度完善（一案一整改）。】".into(),
    ));
    b.push(Block::Signature {
        organ: unit,
        date: "【年  月  日】".into(),
    });
    Document {
        title,
        author: o.party_name.clone(),
        blocks: b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use huajie_domain::reading::{Defendant, propose};

    #[test]
    fn draft_has_the_five_sections_and_quotes_the_reasoning() {
        let text = "浙江省象山县人民法院\n行政判决书\n（2024）浙0225行初12号\n原告张三。\n被告象山县自然资源和规划局。\n本院认为，被告作出处罚决定前未告知原告陈述、申辩的权利，违反法定程序。依照《中华人民共和国行政诉讼法》第七十条第（三）项之规定，判决如下：\n撤销被告象山县自然资源和规划局作出的行政处罚决定。\n审判长王五\n二〇二四年三月一日";
        let j = huajie_domain::reading::parse_judgment(text).unwrap();
        let proposal = propose(
            &j,
            huajie_domain::proceeding::ProceedingKind::FirstInstance,
            None,
            &[Defendant {
                party_id: 1,
                name: "象山县自然资源和规划局".into(),
            }],
        );
        let proceeding = Proceeding {
            id: 1,
            dispute_id: 1,
            kind: huajie_domain::proceeding::ProceedingKind::FirstInstance,
            case_no: Some("（2024）浙0225行初12号".into()),
            case_year: Some(2024),
            court_code: None,
            case_type: None,
            reference_no: None,
            status: huajie_domain::proceeding::ProceedingStatus::Concluded,
            domain: "natural_resources".into(),
            act_type: None,
            forum: None,
            cause: Some("行政处罚".into()),
            claimant_count: 1,
            registered_on: "2024-01-05".into(),
            act_on: None,
            received_on: None,
            filed_on: Some("2024-01-05".into()),
            decided_on: None,
            served_on: None,
            effective_on: None,
            closed_on: None,
            summary: None,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
            parties: vec![huajie_domain::records::Party {
                id: 2,
                proceeding_id: 1,
                role: huajie_domain::proceeding::PartyRole::Claimant,
                kind: huajie_domain::proceeding::PartyKind::Person,
                name: "张三".into(),
                unit_id: None,
                version: 1,
            }],
            hearings: vec![],
            outcomes: vec![],
        };
        let outcome = ConfirmedOutcome {
            party_id: 1,
            party_name: "象山县自然资源和规划局".into(),
            code: huajie_domain::outcome::OutcomeCode::Revoke,
            code_label: "判决撤销".into(),
            decided_on: "2024-03-01".into(),
            grounds: vec![Ground::IllegalProcedure],
            lost: true,
        };
        let issuer = Issuer {
            area: "象山县".into(),
            organ: "象山县司法局".into(),
            has_townships: true,
            has_departments: true,
        };
        let doc = loss_analysis_report(&LossReportInput {
            proceeding: &proceeding,
            outcome: &outcome,
            proposal: &proposal,
            effective_on: Some(jiff::civil::date(2024, 3, 20)),
            due_on: Some(jiff::civil::date(2024, 4, 9)),
            domain: "自然资源".into(),
            issuer: &issuer,
        });
        let text: Vec<String> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(t) | Block::Para(t) | Block::Subheading(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        let all = text.join("\n");
        for h in [
            "一、基本案情",
            "二、法院裁判理由",
            "三、败诉原因分析",
            "四、裁判落实情况",
            "五、整改措施",
        ] {
            assert!(text.iter().any(|t| t == h), "{h} missing");
        }
        assert!(
            all.contains("“本院认为，被告作出处罚决定前未告知原告陈述、申辩的权利，违反法定程序。"),
            "{all}"
        );
        assert!(all.contains("原告张三不服本单位行政处罚"));
        assert!(all.contains("2024年4月9日"));
        assert!(all.contains("（一）违反法定程序"));
        let bytes = crate::docx::docx(&doc).unwrap();
        let back = crate::text::docx_text(&bytes).unwrap();
        assert!(back.contains("三、败诉原因分析"));
    }
}
