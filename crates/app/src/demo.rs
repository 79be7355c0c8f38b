//! Demo and scale data: a fictional county (清河县) with its units, heads, users and three
//! years of disputes whose distributions follow the source documents (domains dominated by
//! 征收拆迁 and 行政处罚, loss rate near 10 %, head appearance rising year by year).
//! Deterministic: the same seed gives the same data.

use std::collections::HashMap;
use std::time::Instant;

use huajie_domain::case_no::CaseNo;
use huajie_domain::hearing::{AppearanceInput, AppearanceLevel, HearingInput};
use huajie_domain::outcome::{Ground, OutcomeCode, OutcomeInput};
use huajie_domain::proceeding::{
    DisputeInput, KeyDates, PartyInput, PartyKind, PartyRole, ProceedingInput, ProceedingKind,
    ProceedingStatus,
};
use huajie_domain::unit::{HeadInput, HeadKind, UnitInput, UnitKind};
use huajie_domain::user::{Role, UserInput};
use huajie_store::Store;
use huajie_store::audit::Author;
use huajie_store::bulk::{BulkDispute, BulkProceeding};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::ToSpan;
use jiff::civil::{Date, date};

use crate::Failure;

pub const COORDINATOR: &str = "coordinator";
pub const PASSWORD: &str = "huajie2024";
const COURT: &str = "浙0699";
const CITY_COURT: &str = "浙06";

/// splitmix64: small, fast and stable across versions (unlike library RNGs).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total as u64) as u32;
        for (t, w) in items {
            if x < *w {
                return t;
            }
            x -= w;
        }
        &items[0].0
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "建国", "志强", "海燕", "晓东",
    "国庆", "春梅",
];
const FIRMS: &[&str] = &[
    "清河鑫达建材有限公司",
    "清河宏远贸易有限公司",
    "清河绿源农业开发有限公司",
    "清河顺通物流有限公司",
    "清河金桥置业有限公司",
    "清河众诚餐饮管理有限公司",
    "清河新锐科技有限公司",
    "清河恒昌五金厂",
];
const TOWNSHIPS: &[&str] = &[
    "城关镇",
    "东城街道",
    "西城街道",
    "南湖街道",
    "北山镇",
    "青石镇",
    "柳溪镇",
    "白沙镇",
    "桃源乡",
    "松岭乡",
    "龙潭镇",
    "清水镇",
    "马鞍山镇",
    "石门乡",
];
const DEPARTMENTS: &[&str] = &[
    "公安局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "综合行政执法局",
    "生态环境分局",
    "交通运输局",
    "农业农村局",
    "卫生健康局",
    "教育局",
    "民政局",
    "应急管理局",
    "医疗保障局",
    "水利局",
    "退役军人事务局",
];
const SOES: &[&str] = &["清河城市建设投资集团有限公司", "清河交通投资集团有限公司"];

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// The generated county: ids of its units by role in the data.
pub struct County {
    jurisdiction: i64,
    government: i64,
    townships: Vec<(i64, String)>,
    departments: Vec<(i64, String)>,
    soes: Vec<(i64, String)>,
    heads: HashMap<i64, (String, String, String, String)>,
}

async fn unit(
    store: &Store,
    by: &Author,
    name: &str,
    kind: UnitKind,
    parent: Option<i64>,
    code: Option<&str>,
) -> Result<i64, Failure> {
    let input = UnitInput {
        name: name.into(),
        short_name: None,
        kind,
        parent_id: parent,
        code: code.map(Into::into),
        contact_phone: None,
        active: true,
    };
    Ok(store.create_unit(by, &input, None).await?.id)
}

async fn user(
    store: &Store,
    by: &Author,
    hash: &str,
    username: &str,
    name: &str,
    role: Role,
    unit_id: i64,
) -> Result<(), Failure> {
    let input = UserInput {
        username: username.into(),
        display_name: name.into(),
        role,
        unit_id,
        active: true,
        contacts: Default::default(),
    };
    store.create_user(by, &input, hash, None).await?;
    Ok(())
}

/// Creates the units, heads and users of the demo county.
async fn county(store: &Store, rng: &mut Rng) -> Result<County, Failure> {
    let by = Author::system("命令行（演示数据）");
    let hash = huajie_web::auth::hash_password(PASSWORD);
    let province = unit(
        store,
        &by,
        "浙江省（演示）",
        UnitKind::Province,
        None,
        Some("330000"),
    )
    .await?;
    let city = unit(
        store,
        &by,
        "东阳湖市（演示）",
        UnitKind::City,
        Some(province),
        Some("330600"),
    )
    .await?;
    let county = unit(
        store,
        &by,
        "清河县",
        UnitKind::County,
        Some(city),
        Some("330699"),
    )
    .await?;
    let government = unit(
        store,
        &by,
        "清河县人民政府",
        UnitKind::CountyGovernment,
        Some(county),
        None,
    )
    .await?;
    let justice = unit(
        store,
        &by,
        "清河县司法局",
        UnitKind::JusticeBureau,
        Some(county),
        None,
    )
    .await?;
    let court = unit(
        store,
        &by,
        "清河县人民法院",
        UnitKind::Court,
        Some(county),
        None,
    )
    .await?;
    let mut c = County {
        jurisdiction: county,
        government,
        townships: Vec::new(),
        departments: Vec::new(),
        soes: Vec::new(),
        heads: HashMap::new(),
    };
    for t in TOWNSHIPS {
        let name = if t.ends_with("街道") {
            format!("清河县{t}办事处")
        } else {
            format!("清河县{t}人民政府")
        };
        c.townships.push((
            unit(store, &by, &name, UnitKind::Township, Some(county), None).await?,
            name,
        ));
    }
    for d in DEPARTMENTS {
        let name = format!("清河县{d}");
        c.departments.push((
            unit(
                store,
                &by,
                &name,
                UnitKind::CountyDepartment,
                Some(county),
                None,
            )
            .await?,
            name,
        ));
    }
    for s in SOES {
        c.soes.push((
            unit(
                store,
                &by,
                s,
                UnitKind::StateOwnedEnterprise,
                Some(county),
                None,
            )
            .await?,
            s.to_string(),
        ));
    }
    let mut all: Vec<(i64, String, &str, &str)> =
        vec![(government, "清河县人民政府".into(), "县长", "副县长")];
    all.extend(c.townships.iter().map(|(id, n)| {
        (
            *id,
            n.clone(),
            if n.contains("街道") {
                "主任"
            } else {
                "镇（乡）长"
            },
            "副镇（乡）长",
        )
    }));
    all.extend(
        c.departments
            .iter()
            .map(|(id, n)| (*id, n.clone(), "局长", "副局长")),
    );
    all.extend(
        c.soes
            .iter()
            .map(|(id, n)| (*id, n.clone(), "董事长", "副总经理")),
    );
    all.push((justice, "清河县司法局".into(), "局长", "副局长"));
    for (id, _, principal_post, deputy_post) in &all {
        let principal = person(rng);
        let deputy = person(rng);
        for (name, post, kind) in [
            (&principal, principal_post, HeadKind::Principal),
            (&deputy, deputy_post, HeadKind::InCharge),
        ] {
            let phone = format!("139{:08}", rng.below(100_000_000));
            store
                .add_head(
                    &by,
                    *id,
                    &HeadInput {
                        name: name.clone(),
                        post: post.to_string(),
                        kind,
                        phone: Some(phone),
                    },
                    None,
                )
                .await?;
        }
        c.heads.insert(
            *id,
            (
                principal,
                principal_post.to_string(),
                deputy,
                deputy_post.to_string(),
            ),
        );
    }
    user(
        store,
        &by,
        &hash,
        COORDINATOR,
        "周敏",
        Role::Coordinator,
        justice,
    )
    .await?;
    user(
        store,
        &by,
        &hash,
        "coordinator2",
        "陈静",
        Role::Coordinator,
        justice,
    )
    .await?;
    user(
        store,
        &by,
        &hash,
        "leader",
        "刘建国",
        Role::Leader,
        government,
    )
    .await?;
    user(store, &by, &hash, "auditor", "孙明", Role::Auditor, justice).await?;
    user(
        store,
        &by,
        &hash,
        "court",
        "何海燕",
        Role::CourtLiaison,
        court,
    )
    .await?;
    for (i, (id, name)) in c.townships.iter().enumerate() {
        user(
            store,
            &by,
            &hash,
            &format!("clerk.t{:02}", i + 1),
            &person(rng),
            Role::UnitClerk,
            *id,
        )
        .await?;
        user(
            store,
            &by,
            &hash,
            &format!("head.t{:02}", i + 1),
            &c.heads[id].0,
            Role::UnitHead,
            *id,
        )
        .await?;
        let _ = name;
    }
    for (i, (id, _)) in c.departments.iter().enumerate() {
        user(
            store,
            &by,
            &hash,
            &format!("clerk.d{:02}", i + 1),
            &person(rng),
            Role::UnitClerk,
            *id,
        )
        .await?;
        user(
            store,
            &by,
            &hash,
            &format!("head.d{:02}", i + 1),
            &c.heads[id].0,
            Role::UnitHead,
            *id,
        )
        .await?;
    }
    for (i, (id, _)) in c.soes.iter().enumerate() {
        user(
            store,
            &by,
            &hash,
            &format!("clerk.s{:02}", i + 1),
            &person(rng),
            Role::UnitClerk,
            *id,
        )
        .await?;
    }
    Ok(c)
}

const DOMAINS: &[(&str, u32)] = &[
    ("expropriation", 24),
    ("penalty", 20),
    ("resettlement", 10),
    ("coercion", 8),
    ("info_disclosure", 8),
    ("work_injury", 6),
    ("nonperformance", 6),
    ("licensing", 5),
    ("registration", 4),
    ("agreement", 3),
    ("land_resources", 2),
    ("social_security", 2),
    ("market_regulation", 1),
    ("other", 1),
];

/// Paths a dispute takes through the proceedings, with weights.
const CHAINS: &[(&[ProceedingKind], u32)] = {
    use ProceedingKind::*;
    &[
        (&[Reconsideration], 40),
        (&[FirstInstance], 22),
        (&[Reconsideration, FirstInstance], 12),
        (&[FirstInstance, SecondInstance], 10),
        (&[Reconsideration, FirstInstance, SecondInstance], 4),
        (&[PreLitigationMediation], 4),
        (&[PreLitigationMediation, FirstInstance], 3),
        (&[DisputeCenter], 3),
        (&[FirstInstance, SecondInstance, Retrial], 2),
    ]
};

fn act_type(domain: &str) -> &'static str {
    match domain {
        "expropriation" => "expropriation_decision",
        "resettlement" => "compensation_decision",
        "penalty" | "market_regulation" => "penalty_decision",
        "coercion" => "forced_demolition",
        "info_disclosure" => "disclosure_reply",
        "work_injury" => "injury_decision",
        "nonperformance" => "inaction",
        "licensing" => "license_decision",
        "registration" | "land_resources" => "registration_act",
        "agreement" => "agreement_act",
        _ => "other_act",
    }
}

/// Which unit answers for a dispute in this domain.
fn defendant(rng: &mut Rng, c: &County, domain: &str) -> (i64, String) {
    let dept = |name: &str| {
        c.departments
            .iter()
            .find(|(_, n)| n.contains(name))
            .cloned()
            .expect("department exists")
    };
    match domain {
        "expropriation" | "coercion" if rng.chance(0.6) => rng.pick(&c.townships).clone(),
        "expropriation" => dept("自然资源"),
        "resettlement" if rng.chance(0.3) => rng.pick(&c.soes).clone(),
        "resettlement" => rng.pick(&c.townships).clone(),
        "penalty" => rng
            .pick(&[
                dept("公安"),
                dept("综合行政执法"),
                dept("市场监督"),
                dept("生态环境"),
                dept("交通运输"),
            ])
            .clone(),
        "work_injury" | "social_security" => dept("人力资源"),
        "market_regulation" => dept("市场监督"),
        "licensing" => rng
            .pick(&[dept("住房和城乡建设"), dept("自然资源"), dept("卫生健康")])
            .clone(),
        "registration" | "land_resources" => dept("自然资源"),
        "info_disclosure" => {
            if rng.chance(0.2) {
                (c.government, "清河县人民政府".into())
            } else {
                rng.pick(&c.departments).clone()
            }
        }
        _ => {
            if rng.chance(0.5) {
                rng.pick(&c.townships).clone()
            } else {
                rng.pick(&c.departments).clone()
            }
        }
    }
}

/// Sequence counters for case numbers per (year, type).
#[derive(Default)]
struct Numbers {
    seq: HashMap<(i16, &'static str), u32>,
    /// When set, every number uses this ever-increasing sequence (scale mode: unique across runs).
    global: Option<u64>,
}

impl Numbers {
    fn next(&mut self, year: i16, court: &str, ty: &'static str) -> CaseNo {
        let n = match &mut self.global {
            Some(g) => {
                *g += 1;
                *g as u32
            }
            None => {
                let s = self.seq.entry((year, ty)).or_default();
                *s += 1;
                *s
            }
        };
        CaseNo::parse(&format!("（{year}）{court}{ty}{n}号"))
            .expect("generated case numbers are valid")
    }

    /// A file number (文号) such as 清政复〔2024〕12号, unique per year and prefix.
    fn file_no(&mut self, year: i16, prefix: &'static str) -> String {
        let n = match &mut self.global {
            Some(g) => {
                *g += 1;
                *g as u32
            }
            None => {
                let s = self.seq.entry((year, prefix)).or_default();
                *s += 1;
                *s
            }
        };
        format!("{prefix}〔{year}〕{n}号")
    }
}

fn pick_outcome(rng: &mut Rng, kind: ProceedingKind, loss_p: f64) -> OutcomeCode {
    use OutcomeCode::*;
    match kind {
        ProceedingKind::Reconsideration => {
            if rng.chance(loss_p * 1.2) {
                *rng.weighted(&[
                    (ReconRevoke, 5),
                    (ReconConfirmIllegal, 3),
                    (ReconOrderPerform, 2),
                    (ReconModify, 1),
                ])
            } else {
                *rng.weighted(&[
                    (ReconUphold, 45),
                    (ReconRejectApplication, 15),
                    (ReconMediation, 15),
                    (ReconSettlement, 12),
                    (ReconWithdraw, 8),
                    (ReconTerminate, 2),
                ])
            }
        }
        ProceedingKind::PreLitigationMediation | ProceedingKind::DisputeCenter => *rng.weighted(&[
            (MediationSettled, 45),
            (MediationFailed, 45),
            (MediationRefused, 10),
        ]),
        ProceedingKind::SecondInstance | ProceedingKind::Retrial => {
            if rng.chance(loss_p * 0.6) {
                AppealReversedAgainst
            } else {
                *rng.weighted(&[
                    (AppealUpheld, 80),
                    (AppealReversedFor, 5),
                    (Remanded, 5),
                    (Withdraw, 10),
                ])
            }
        }
        ProceedingKind::FirstInstance => {
            if rng.chance(loss_p) {
                *rng.weighted(&[
                    (Revoke, 30),
                    (ConfirmIllegal, 25),
                    (ConfirmIllegalKeep, 10),
                    (PerformDuty, 12),
                    (RevokePartial, 6),
                    (Pay, 5),
                    (RemedyCompensate, 5),
                    (ConfirmVoid, 2),
                    (Modify, 2),
                    (AgreementLiability, 3),
                ])
            } else {
                *rng.weighted(&[
                    (RejectClaims, 55),
                    (DismissSuit, 18),
                    (Withdraw, 14),
                    (WithdrawAfterChange, 5),
                    (WithdrawDeemed, 3),
                    (Mediation, 5),
                ])
            }
        }
    }
}

/// Options of the generator.
struct Gen<'a> {
    rng: Rng,
    county: &'a County,
    numbers: Numbers,
    start: Date,
    days: i64,
    /// Date the data is "as of": later proceedings are still pending.
    as_of: Date,
}

impl Gen<'_> {
    /// One dispute with 1–3 proceedings.
    fn dispute(&mut self) -> BulkDispute {
        let domain = *self.rng.weighted(DOMAINS);
        let (unit_id, unit_name) = defendant(&mut self.rng, self.county, domain);
        let group = domain == "expropriation" && self.rng.chance(0.04);
        let claimant_count: i64 = if group {
            50 + self.rng.below(80) as i64
        } else {
            *self.rng.weighted(&[(1, 80), (2, 12), (3, 5), (5, 3)])
        };
        let listed = claimant_count.min(3);
        let org = domain == "penalty" && self.rng.chance(0.25)
            || domain == "licensing" && self.rng.chance(0.5);
        let claimants: Vec<String> = (0..listed)
            .map(|_| {
                if org {
                    self.rng.pick(FIRMS).to_string()
                } else {
                    person(&mut self.rng)
                }
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let first = self.start + (self.rng.below(self.days as u64) as i64).days();
        let title = format!(
            "{}{}与{}{}争议",
            claimants[0],
            if claimant_count > 1 { "等" } else { "" },
            unit_name,
            huajie_domain::codes::CodeList::Domain
                .defaults()
                .iter()
                .find(|(c, _)| *c == domain)
                .map(|(_, l)| *l)
                .unwrap_or("")
        );
        let chain = *self.rng.weighted(CHAINS);
        let mut proceedings = Vec::new();
        let mut date = first;
        let mut recon_upheld = false;
        for (i, kind) in chain.iter().enumerate() {
            if date > self.as_of {
                break;
            }
            let bp = self.proceeding(
                *kind,
                domain,
                date,
                unit_id,
                &unit_name,
                &claimants,
                claimant_count,
                recon_upheld && i > 0,
            );
            let next = bp.proceeding.dates.closed_on;
            recon_upheld = bp
                .outcomes
                .iter()
                .any(|o| o.code == OutcomeCode::ReconUphold);
            let still_pending = bp.proceeding.status != ProceedingStatus::Concluded;
            proceedings.push(bp);
            match next {
                Some(d) if !still_pending => date = d + ((5 + self.rng.below(20)) as i64).days(),
                _ => break,
            }
        }
        BulkDispute {
            dispute: DisputeInput {
                title,
                domain: domain.into(),
                summary: None,
            },
            proceedings,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn proceeding(
        &mut self,
        kind: ProceedingKind,
        domain: &str,
        registered: Date,
        unit_id: i64,
        unit_name: &str,
        claimants: &[String],
        claimant_count: i64,
        after_upheld_recon: bool,
    ) -> BulkProceeding {
        let year = registered.year();
        // Losses fall over the three years; appearance by heads rises.
        let loss_p = match year {
            y if y <= 2024 => 0.13,
            2025 => 0.10,
            _ => 0.08,
        };
        let head_p = match year {
            y if y <= 2024 => 0.72,
            2025 => 0.86,
            _ => 0.95,
        };
        let (case_no, forum, reference_no) = match kind {
            ProceedingKind::FirstInstance => (
                Some(self.numbers.next(year, COURT, "行初")),
                Some("清河县人民法院".to_string()),
                None,
            ),
            ProceedingKind::SecondInstance => (
                Some(self.numbers.next(year, CITY_COURT, "行终")),
                Some("东阳湖市中级人民法院".to_string()),
                None,
            ),
            ProceedingKind::Retrial => (
                Some(self.numbers.next(year, "浙", "行申")),
                Some("浙江省高级人民法院".to_string()),
                None,
            ),
            ProceedingKind::Reconsideration => (
                None,
                Some("清河县人民政府".to_string()),
                Some(self.numbers.file_no(year, "清政复")),
            ),
            ProceedingKind::PreLitigationMediation => (
                None,
                Some("清河县人民法院诉前调解".to_string()),
                Some(self.numbers.file_no(year, "清法诉调")),
            ),
            ProceedingKind::DisputeCenter => (
                None,
                Some("清河县行政争议协调化解中心".to_string()),
                Some(self.numbers.file_no(year, "清化解")),
            ),
        };
        let act_on = registered - ((10 + self.rng.below(120)) as i64).days();
        let filed_on = registered - (self.rng.below(8) as i64).days();
        let received_on = filed_on + ((1 + self.rng.below(6)) as i64).days();
        let duration = match kind {
            ProceedingKind::Reconsideration => 35 + self.rng.below(50),
            ProceedingKind::PreLitigationMediation | ProceedingKind::DisputeCenter => {
                10 + self.rng.below(25)
            }
            ProceedingKind::FirstInstance => 60 + self.rng.below(150),
            ProceedingKind::SecondInstance | ProceedingKind::Retrial => 45 + self.rng.below(60),
        } as i64;
        let decided_on = filed_on + duration.days();
        let concluded = decided_on + 20.days() <= self.as_of;
        let mut parties: Vec<PartyInput> = claimants
            .iter()
            .map(|n| PartyInput {
                role: PartyRole::Claimant,
                kind: if n.ends_with("公司") || n.ends_with("厂") {
                    PartyKind::Organization
                } else {
                    PartyKind::Person
                },
                name: Some(n.clone()),
                unit_id: None,
            })
            .collect();
        parties.push(PartyInput {
            role: PartyRole::Defendant,
            kind: PartyKind::Agency,
            name: Some(unit_name.to_string()),
            unit_id: Some(unit_id),
        });
        if after_upheld_recon
            && kind == ProceedingKind::FirstInstance
            && unit_id != self.county.government
        {
            parties.push(PartyInput {
                role: PartyRole::ReconsiderationOrgan,
                kind: PartyKind::Agency,
                name: Some("清河县人民政府".into()),
                unit_id: Some(self.county.government),
            });
        }
        let mut hearings = Vec::new();
        let mut outcomes = Vec::new();
        if kind.is_litigation() && (concluded || self.rng.chance(0.4)) {
            let at = filed_on + ((duration / 2).max(20)).days();
            if at <= self.as_of {
                let scheduled_at = at.at(if self.rng.chance(0.5) { 9 } else { 14 }, 30, 0, 0);
                let (principal, principal_post, deputy, deputy_post) =
                    self.county.heads.get(&unit_id).cloned().unwrap_or_default();
                let mut apps = Vec::new();
                if self.rng.chance(head_p) {
                    let principal_needed = claimant_count >= 50 || self.rng.chance(0.25);
                    let (name, post, level) = if principal_needed {
                        (principal, principal_post, AppearanceLevel::PrincipalHead)
                    } else {
                        (deputy, deputy_post, AppearanceLevel::DeputyHead)
                    };
                    apps.push(AppearanceInput {
                        unit_id: Some(unit_id),
                        person_name: name,
                        post: Some(post),
                        level,
                        appeared: true,
                        spoke: self.rng.chance(0.8),
                        excuse: None,
                    });
                } else if self.rng.chance(0.5) {
                    apps.push(AppearanceInput {
                        unit_id: Some(unit_id),
                        person_name: deputy,
                        post: Some(deputy_post),
                        level: AppearanceLevel::DeputyHead,
                        appeared: false,
                        spoke: false,
                        excuse: Some("需要履行他人不能代替的公务".into()),
                    });
                }
                apps.push(AppearanceInput {
                    unit_id: Some(unit_id),
                    person_name: person(&mut self.rng),
                    post: Some("科员".into()),
                    level: AppearanceLevel::Staff,
                    appeared: true,
                    spoke: self.rng.chance(0.5),
                    excuse: None,
                });
                if self.rng.chance(0.6) {
                    apps.push(AppearanceInput {
                        unit_id: Some(unit_id),
                        person_name: format!("{}律师", person(&mut self.rng)),
                        post: Some("代理律师".into()),
                        level: AppearanceLevel::Lawyer,
                        appeared: true,
                        spoke: true,
                        excuse: None,
                    });
                }
                hearings.push((
                    HearingInput {
                        scheduled_at,
                        place: Some(format!("第{}法庭", self.rng.below(6) + 1)),
                        note: None,
                    },
                    apps,
                ));
            }
        }
        if concluded {
            let code = pick_outcome(&mut self.rng, kind, loss_p);
            let grounds = if code.takes_grounds() {
                vec![*self.rng.pick(&Ground::ALL[..6])]
            } else {
                Vec::new()
            };
            let defendants: Vec<usize> = parties
                .iter()
                .enumerate()
                .filter(|(_, p)| p.role.is_defendant_side())
                .map(|(i, _)| i)
                .collect();
            for i in defendants {
                outcomes.push(OutcomeInput {
                    party_id: i as i64,
                    code,
                    decided_on,
                    grounds: grounds.clone(),
                    note: None,
                });
            }
        }
        let served_on = concluded.then(|| decided_on + ((2 + self.rng.below(8)) as i64).days());
        let effective_on = served_on.map(|s| s + 16.days());
        let closed_on = concluded.then_some(decided_on);
        let status = if concluded {
            ProceedingStatus::Concluded
        } else if self.rng.chance(0.05) {
            ProceedingStatus::Suspended
        } else {
            ProceedingStatus::Pending
        };
        let proceeding = ProceedingInput {
            dispute_id: None,
            kind,
            case_no,
            reference_no,
            status,
            domain: domain.to_string(),
            act_type: Some(act_type(domain).to_string()),
            forum,
            cause: None,
            claimant_count,
            registered_on: registered,
            dates: KeyDates {
                act_on: Some(act_on),
                received_on: Some(received_on),
                filed_on: Some(filed_on),
                decided_on: concluded.then_some(decided_on),
                served_on,
                effective_on,
                closed_on,
            },
            summary: None,
        };
        BulkProceeding {
            proceeding,
            parties,
            hearings,
            outcomes,
        }
    }
}

async fn load_county(store: &Store, rng: &mut Rng) -> Result<County, Failure> {
    if !store.list_units(None).await?.is_empty() {
        return Err(Failure {
            code: 2,
            message: "数据库中已有单位数据，演示数据只能装入空数据库（可用 --database 指定新文件）"
                .into(),
        });
    }
    county(store, rng).await
}

/// The realistic demo: the county plus ≈1,500 proceedings over 2024-01-01 … 2026-11-20.
pub async fn demo(store: &Store, seed: u64) -> Result<String, Failure> {
    let t = Instant::now();
    let mut rng = Rng(seed);
    let county = load_county(store, &mut rng).await?;
    let mut g = Gen {
        rng: Rng(seed ^ 0xD15E),
        county: &county,
        numbers: Numbers::default(),
        start: date(2024, 1, 2),
        days: 1053,
        as_of: date(2026, 11, 20),
    };
    let mut batch = Vec::new();
    let mut n = 0;
    while n < 1500 {
        let d = g.dispute();
        n += d.proceedings.len();
        batch.push(d);
    }
    batch.sort_by_key(|d| d.proceedings[0].proceeding.registered_on);
    let by = Author::system("命令行（演示数据）");
    store.bulk_insert(&by, county.jurisdiction, &batch).await?;
    let deadlines = demo_deadlines(store, seed, None).await?;
    store.analyze().await?;
    Ok(format!(
        "已生成演示数据：清河县，{} 个单位，{} 起争议，{n} 个程序，{deadlines} 项期限（用时 {:.1} 秒）。登录：{COORDINATOR} / {PASSWORD}",
        store.list_units(None).await?.len(),
        batch.len(),
        t.elapsed().as_secs_f64()
    ))
}

/// Records the deadline-starting event of every pending first-instance and reconsideration
/// proceeding (through the store, as the coordinator, so deadlines are planned as in real use)
/// and marks most past deadlines met, a few late and a few still overdue. Returns how many
/// deadlines exist afterwards. `since` limits this to proceedings registered from that day.
async fn demo_deadlines(store: &Store, seed: u64, since: Option<Date>) -> Result<usize, Failure> {
    use huajie_domain::deadline::EventInput;
    use huajie_domain::ledger::LedgerParams;
    use huajie_domain::rules::EventKind;
    let user = store.user_by_name(COORDINATOR).await?;
    let actor = store.actor_for(&user).await?;
    let today = huajie_store::deadlines::today();
    let mut rng = Rng(seed ^ 0xDEAD);
    let mut params = LedgerParams {
        status: Some("pending".into()),
        registered_from: since.map(|d| d.to_string()),
        limit: Some(200),
        ..LedgerParams::default()
    };
    let mut total = 0;
    loop {
        let q = params.validate().map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })?;
        let page = store.ledger(&actor, &q).await?;
        for row in &page.items {
            let registered: Date = row.registered_on.parse().unwrap_or(today);
            let (kind, on) = match row.kind {
                ProceedingKind::FirstInstance => (
                    EventKind::ComplaintCopyReceived,
                    registered + (3 + rng.below(10) as i64).days(),
                ),
                ProceedingKind::Reconsideration => (
                    EventKind::ReconCopyReceived,
                    registered + (1 + rng.below(5) as i64).days(),
                ),
                _ => continue,
            };
            if on > today {
                continue;
            }
            let input = EventInput {
                kind,
                occurred_on: on,
                note: None,
            };
            let (_, deadlines) = store.add_event(&actor, row.id, &input).await?;
            total += deadlines.len();
            for d in deadlines {
                let due: Date = d.due_on.parse().unwrap_or(today);
                if due >= today || rng.chance(0.04) {
                    continue; // still open, or overdue
                }
                if d.rule_id == "EVIDENCE_EXTENSION_APPLY" {
                    store
                        .waive_deadline(&actor, d.id, d.version, "按期举证，无需申请延期")
                        .await?;
                    continue;
                }
                let met = if rng.chance(0.06) {
                    due + (1 + rng.below(6) as i64).days()
                } else {
                    due - (rng.below(4) as i64).days()
                };
                store
                    .mark_deadline_met(&actor, d.id, d.version, met.min(today))
                    .await?;
            }
        }
        match page.next_cursor {
            Some(c) => params.after = Some(c),
            None => break,
        }
    }
    Ok(total)
}

/// Scale data for benchmarks: `count` extra proceedings over 2016–2026 in batches.
pub async fn scale(store: &Store, seed: u64, count: u64, batch_size: usize) -> Result<(), Failure> {
    let mut rng = Rng(seed);
    let units = store.list_units(None).await?;
    let county = if units.is_empty() {
        county(store, &mut rng).await?
    } else {
        // Re-derive the county layout from the stored units.
        let jur = units
            .iter()
            .find(|u| u.kind == UnitKind::County)
            .ok_or_else(|| Failure {
                code: 2,
                message: "数据库中没有县级单位，无法生成规模数据".into(),
            })?;
        let of = |k: UnitKind| {
            units
                .iter()
                .filter(|u| u.kind == k && u.jurisdiction_id == jur.id)
                .map(|u| (u.id, u.name.clone()))
                .collect::<Vec<_>>()
        };
        let government = of(UnitKind::CountyGovernment)
            .first()
            .map(|x| x.0)
            .unwrap_or(jur.id);
        let mut heads = HashMap::new();
        for u in units.iter().filter(|u| u.jurisdiction_id == jur.id) {
            let h = store.list_heads(u.id).await?;
            if h.len() >= 2 {
                heads.insert(
                    u.id,
                    (
                        h[0].name.clone(),
                        h[0].post.clone(),
                        h[1].name.clone(),
                        h[1].post.clone(),
                    ),
                );
            }
        }
        County {
            jurisdiction: jur.id,
            government,
            townships: of(UnitKind::Township),
            departments: of(UnitKind::CountyDepartment),
            soes: of(UnitKind::StateOwnedEnterprise),
            heads,
        }
    };
    if county.townships.is_empty() || county.departments.is_empty() || county.soes.is_empty() {
        return Err(Failure {
            code: 2,
            message: "县内缺少乡镇、部门或国有企业，无法生成规模数据（请先运行 huajie demo）"
                .into(),
        });
    }
    let existing = store.count_proceedings().await.map_err(Failure::from)? as u64;
    let mut g = Gen {
        rng: Rng(seed ^ count ^ existing),
        county: &county,
        numbers: Numbers {
            global: Some(existing * 10 + 1_000_000),
            ..Default::default()
        },
        start: date(2016, 1, 4),
        days: 3950,
        as_of: date(2026, 11, 20),
    };
    let by = Author::system("命令行（批量演示数据）");
    let bar = ProgressBar::new(count);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} 程序 {per_sec} 剩余 {eta}")
            .expect("template"),
    );
    let t = Instant::now();
    let mut done = 0u64;
    while done < count {
        let mut batch = Vec::new();
        let mut n = 0u64;
        while n < batch_size as u64 && done + n < count {
            let mut d = g.dispute();
            d.proceedings.truncate((count - done - n) as usize);
            n += d.proceedings.len() as u64;
            batch.push(d);
        }
        store.bulk_insert(&by, county.jurisdiction, &batch).await?;
        done += n;
        bar.set_position(done);
    }
    bar.finish_and_clear();
    let secs = t.elapsed().as_secs_f64();
    // Deadlines as in real use for the recent pending cases (the workbench's lists), through
    // the store like the realistic demo; older pending cases keep no events.
    let t2 = Instant::now();
    let since = huajie_store::deadlines::today() - 150.days();
    let deadlines = demo_deadlines(store, seed ^ existing, Some(since)).await?;
    say!(
        "为 {since} 以来登记的未结案件记录事件，生成 {deadlines} 项期限，用时 {:.1} 秒",
        t2.elapsed().as_secs_f64()
    );
    store.analyze().await?;
    say!(
        "已装入 {done} 个程序，用时 {secs:.1} 秒，{:.0} 个程序/秒（另含当事人、开庭、出庭、结果记录）",
        done as f64 / secs.max(1e-9)
    );
    say!("数据库中共有 {} 个程序", store.count_proceedings().await?);
    Ok(())
}
