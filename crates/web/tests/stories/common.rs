//! Shared setup of the story tests: a county with units and users, tokens, request helpers,
//! and a scratch PostgreSQL database per test.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use huajie_domain::unit::{UnitInput, UnitKind};
use huajie_domain::user::{Role, UserInput};
use huajie_store::Store;
use huajie_store::audit::Author;
use serde_json::{Value, json};
use tower::ServiceExt;

pub struct App {
    pub router: axum::Router,
    pub store: Store,
    /// The database, for tests that set up a state behind the application's back (a token
    /// already expired, a password set long ago).
    pub url: String,
    pub coord: String,
    pub clerk_a: String,
    pub leader: String,
    pub unit_a: i64,
    pub unit_b: i64,
    pub county: i64,
}

impl App {
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.raw(req).await
    }

    pub async fn raw(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, v)
    }

    pub async fn get(&self, uri: &str, token: &str) -> (StatusCode, Value) {
        self.call("GET", uri, Some(token), None).await
    }
    pub async fn post(&self, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", uri, Some(token), Some(body)).await
    }
    pub async fn put(&self, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call("PUT", uri, Some(token), Some(body)).await
    }
}

pub async fn token_for(store: &Store, username: &str) -> String {
    let u = store.user_by_name(username).await.unwrap();
    let (token, hash) = huajie_web::auth::new_token();
    store
        .create_token(&Author::system("test"), u.id, "test", &hash, 365)
        .await
        .unwrap();
    token
}

pub async fn setup(url: &str) -> App {
    let store = Store::connect(url, 4).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // idempotent
    let by = Author::system("test");
    let unit = |name: &str, kind, parent| UnitInput {
        name: name.into(),
        short_name: None,
        kind,
        parent_id: parent,
        code: None,
        contact_phone: None,
        active: true,
    };
    let county = store
        .create_unit(&by, &unit("测试县", UnitKind::County, None), None)
        .await
        .unwrap()
        .id;
    let justice = store
        .create_unit(
            &by,
            &unit("测试县司法局", UnitKind::JusticeBureau, Some(county)),
            None,
        )
        .await
        .unwrap()
        .id;
    let unit_a = store
        .create_unit(
            &by,
            &unit("甲镇人民政府", UnitKind::Township, Some(county)),
            None,
        )
        .await
        .unwrap()
        .id;
    let unit_b = store
        .create_unit(
            &by,
            &unit("测试县公安局", UnitKind::CountyDepartment, Some(county)),
            None,
        )
        .await
        .unwrap()
        .id;
    let hash = huajie_web::auth::hash_password("secret123");
    for (name, role, u) in [
        ("coord", Role::Coordinator, justice),
        ("clerk.a", Role::UnitClerk, unit_a),
        ("leader", Role::Leader, justice),
    ] {
        store
            .create_user(
                &by,
                &UserInput {
                    username: name.into(),
                    display_name: name.into(),
                    role,
                    unit_id: u,
                    active: true,
                    contacts: Default::default(),
                },
                &hash,
                None,
            )
            .await
            .unwrap();
    }
    App {
        router: huajie_web::router_with(
            store.clone(),
            huajie_web::WebConfig {
                documents_dir: std::env::temp_dir()
                    .join(format!("huajie-test-documents-{}", std::process::id())),
                max_document_bytes: 64 * 1024,
                secure_cookies: false,
                // Tests name the client's address in X-Forwarded-For.
                trust_proxy: true,
                password_max_days: None,
            },
        )
        .unwrap(),
        url: url.to_string(),
        coord: token_for(&store, "coord").await,
        clerk_a: token_for(&store, "clerk.a").await,
        leader: token_for(&store, "leader").await,
        store,
        unit_a,
        unit_b,
        county,
    }
}

pub fn codes(v: &Value) -> Vec<(String, String)> {
    v["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap().to_string(),
                        f["code"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn proceeding(case_no: &str, defendant: i64, registered_on: &str, claimant: &str) -> Value {
    json!({
        "kind": "first_instance",
        "case_no": case_no,
        "domain": "expropriation",
        "act_type": "forced_demolition",
        "registered_on": registered_on,
        "filed_on": registered_on,
        "parties": [
            {"role": "claimant", "name": claimant},
            {"role": "defendant", "unit_id": defendant}
        ]
    })
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Runs `f` on a fresh SQLite file.
pub async fn on_sqlite<F, Fut>(f: F)
where
    F: FnOnce(App) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = huajie_store::database_url(dir.path().join("story.db").to_str().unwrap());
    f(setup(&url).await).await;
}

/// Runs `f` on a scratch PostgreSQL database created for it and dropped afterwards, or says
/// why it skips when HUAJIE_TEST_PG_URL is not set.
pub async fn on_postgres<F, Fut>(test: &str, f: F)
where
    F: FnOnce(App) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Ok(base) = std::env::var("HUAJIE_TEST_PG_URL") else {
        eprintln!(
            "SKIPPED {test}: set HUAJIE_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it"
        );
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!(
        "huajie_{test}_{}_{}",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond() % 1_000_000_000
    );
    let admin = sqlx::AnyPool::connect(&base)
        .await
        .expect("connect to HUAJIE_TEST_PG_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let url = match base.rfind('/') {
        Some(i) if base[..i].contains("://") && i > base.find("://").unwrap() + 2 => {
            format!("{}/{name}", &base[..i])
        }
        _ => format!("{base}/{name}"),
    };
    f(setup(&url).await).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .unwrap();
}

/// Adds a unit clerk of `unit` (password secret123) and returns an API token for them.
pub async fn add_clerk(app: &App, username: &str, unit: i64) -> String {
    app.store
        .create_user(
            &Author::system("test"),
            &UserInput {
                username: username.into(),
                display_name: format!("{username}联络员"),
                role: Role::UnitClerk,
                unit_id: unit,
                active: true,
                contacts: Default::default(),
            },
            &huajie_web::auth::hash_password("secret123"),
            None,
        )
        .await
        .unwrap();
    token_for(&app.store, username).await
}

/// A small PDF uploaded to a proceeding through the API as `kind`; returns the document id.
pub async fn upload_pdf(app: &App, token: &str, pid: i64, kind: &str, name: &str) -> i64 {
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n";
    let r = super::forms::upload(
        app,
        &format!("/api/v1/proceedings/{pid}/documents"),
        ("authorization", &format!("Bearer {token}")),
        &[("kind", kind)],
        Some((name, pdf)),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    serde_json::from_str::<Value>(&r.body).unwrap()["id"]
        .as_i64()
        .unwrap()
}
