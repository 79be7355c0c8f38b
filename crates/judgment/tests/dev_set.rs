//! The development set: 26 real published documents (中国裁判文书网) with hand labels in
//! `judgments-dev/index.csv` (copied from the project's shared data). Prints the accuracy of
//! each figure issue 6 asks for and fails on any mistake: every document is a regression test.

use std::path::Path;

use huajie_judgment::{Disposition, Stage, parse};

/// The label set's stage names.
fn stage_label(s: Option<Stage>) -> &'static str {
    match s {
        Some(Stage::FirstInstance) => "一审",
        Some(Stage::Appeal) => "二审",
        Some(Stage::Retrial) | Some(Stage::RetrialReview) => "再审",
        Some(Stage::NonLitigationEnforcement) => "非诉审查",
        None => "",
    }
}

/// The label set's outcome categories for the primary disposition.
fn category(d: Option<&Disposition>) -> &'static str {
    use Disposition::*;
    match d {
        Some(RejectClaims) => "驳回诉讼请求",
        Some(Revoke | RevokePartial | RevokeRedo) => "撤销",
        Some(ConfirmIllegal) => "确认违法",
        Some(ConfirmVoid) => "确认无效",
        Some(DismissSuit) => "驳回起诉",
        Some(Withdrawal) => "准予撤诉",
        _ => "其他",
    }
}

fn lost_label(l: Option<bool>) -> &'static str {
    match l {
        Some(true) => "是",
        Some(false) => "否",
        None => "不适用",
    }
}

#[test]
fn development_set() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judgments-dev");
    // The project's own CSV reader (quoted fields with commas).
    let rows =
        huajie_office::import::read_csv(&std::fs::read(dir.join("index.csv")).unwrap()).unwrap();
    let head = &rows[0];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (file, number, stage, outcome, lost) = (
        col("file"),
        col("case_number"),
        col("procedure_stage"),
        col("outcome_category"),
        col("agency_lost"),
    );
    let mut hits = [0usize; 4];
    let mut mistakes = Vec::new();
    let mut n = 0;
    let mut total = std::time::Duration::ZERO;
    for r in rows.iter().skip(1).filter(|r| r.len() > lost) {
        n += 1;
        let text = std::fs::read_to_string(dir.join(&r[file])).unwrap();
        let t = std::time::Instant::now();
        let j = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", r[file]));
        total += t.elapsed();
        let got = [
            j.case_number.clone().unwrap_or_default(),
            stage_label(j.stage).to_string(),
            category(j.dispositions.first()).to_string(),
            lost_label(j.agency_lost).to_string(),
        ];
        let want = [&r[number], &r[stage], &r[outcome], &r[lost]];
        for (i, name) in ["case_number", "stage", "primary disposition", "agency_lost"]
            .iter()
            .enumerate()
        {
            if got[i] == *want[i] {
                hits[i] += 1;
            } else {
                mistakes.push(format!(
                    "{} {name}: got {:?}, labelled {:?} ({:?}; {:?})",
                    r[file], got[i], want[i], j.dispositions, j.agency_lost_basis
                ));
            }
        }
    }
    println!("development set: {n} documents");
    for (i, name) in [
        "case number (exact)",
        "stage",
        "primary disposition",
        "agency_lost",
    ]
    .iter()
    .enumerate()
    {
        println!(
            "  {name}: {}/{n} = {:.1}%",
            hits[i],
            hits[i] as f64 * 100.0 / n as f64
        );
    }
    println!(
        "  parse time (debug build): {:.2} ms per document",
        total.as_secs_f64() * 1000.0 / n as f64
    );
    assert_eq!(n, 26);
    assert!(mistakes.is_empty(), "{}", mistakes.join("\n"));
}

fn doc(id: &str) -> huajie_judgment::Judgment {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judgments-dev");
    parse(&std::fs::read_to_string(dir.join(format!("wenshu_{id}.txt"))).unwrap()).unwrap()
}

/// Loss grounds, parties and the reasoning of the adverse documents in the set.
#[test]
fn grounds_parties_and_reasoning() {
    // 1989 law, 第五十四条第（三）项.
    let j = doc("5121184b8ab74bb8abe63b84fbc0c4c0");
    assert_eq!(j.loss_grounds, ["不履行法定职责"]);
    assert_eq!(
        j.dispositions,
        [Disposition::ConfirmIllegal, Disposition::OrderPerform]
    );
    // 第七十条第（一）、（二）项.
    let j = doc("a1ed7fefd6a84c4f98c0ab8f000cb02c");
    assert_eq!(j.loss_grounds, ["主要证据不足", "适用法律法规错误"]);
    // The 复议机关 sued with the original agency; both lose.
    let j = doc("4bb600408e9b42f6822cbc5ab3875cbe");
    assert_eq!(j.loss_grounds, ["适用法律法规错误"]);
    let d: Vec<(&str, bool, Option<bool>)> = j
        .parties
        .iter()
        .filter(|p| p.side == huajie_judgment::Side::Defendant)
        .map(|p| (p.name.as_str(), p.reconsideration_organ, p.lost))
        .collect();
    assert_eq!(
        d,
        [
            ("林口县人民政府", false, Some(true)),
            ("牡丹江市人民政府", true, Some(true))
        ]
    );
    // 第七十四条第二款第（一）项 names no illegality; the reasoning does.
    let j = doc("363ec2f65bbd46ecbfa72c4dcbc2c0fa");
    assert!(
        j.loss_grounds.contains(&"违反法定程序".to_string()),
        "{:?}",
        j.loss_grounds
    );
    assert!(j.reasoning.as_deref().unwrap().starts_with("本院认为"));
    // An upheld appeal: the grounds are the first instance's, recited in the text.
    let j = doc("45f33a222ba4416c88b0a90e00109d67");
    assert_eq!(j.agency_lost, Some(true));
    assert_eq!(j.loss_grounds, ["主要证据不足", "适用法律法规错误"]);
    // Full text with the party block.
    let j = doc("db415ead9b5848c28f3fa1ec8e365fee");
    let roles: Vec<(&str, Option<&str>, &str)> = j
        .parties
        .iter()
        .map(|p| (p.role.as_str(), p.original_role.as_deref(), p.name.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("上诉人", Some("一审原告"), "夏欣"),
            (
                "被上诉人",
                Some("一审被告"),
                "中华人民共和国国家卫生和计划生育委员会"
            )
        ]
    );
    // Non-litigation enforcement and an agency as plaintiff: not applicable, with a reason.
    for id in [
        "00822aeee46a448bab44ab970180cdc4",
        "dfa2d6c08cab4a85b9f7a9b600f60656",
    ] {
        let j = doc(id);
        assert_eq!(j.agency_lost, None);
        assert!(j.unknown.contains_key("agency_lost"));
    }
}
