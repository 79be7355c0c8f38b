//! The real binary: exit statuses and messages of the command line.

use std::process::Command;

fn huajie(db: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_huajie"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env("HUAJIE_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_migrate_users_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let (code, out, _) = huajie(&db, &["migrate"]);
    assert_eq!(code, 0);
    assert!(out.contains("已迁移"));
    // No units yet: adding a user to unit 1 is bad input (exit 2, message on stderr).
    let (code, out, err) = huajie(
        &db,
        &[
            "user",
            "add",
            "zhang",
            "--name",
            "张三",
            "--role",
            "coordinator",
            "--unit",
            "1",
            "--password",
            "abc12345",
        ],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("单位（编号1）不存在"), "{err}");
    let (code, _, err) = huajie(
        &db,
        &[
            "user",
            "add",
            "Zhang San",
            "--name",
            "",
            "--role",
            "boss",
            "--unit",
            "1",
            "--password",
            "x",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("用户名") && err.contains("角色") && err.contains("密码"),
        "{err}"
    );
    let (code, _, err) = huajie(
        &db,
        &["user", "reset-password", "nobody", "--password", "abc12345"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("不存在"), "{err}");
    // clap's own usage errors also exit with 2.
    let (code, _, _) = huajie(&db, &["user", "add"]);
    assert_eq!(code, 2);
    let (code, _, _) = huajie(&db, &["demo", "--scale", "many"]);
    assert_eq!(code, 2);
}

#[test]
fn cli_demo_is_deterministic_and_refuses_a_second_load() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let (code, out, err) = huajie(&a, &["demo", "--seed", "7"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("1500 个程序") || out.contains("个程序"),
        "{out}"
    );
    let (code, _, err) = huajie(&a, &["demo"]);
    assert_eq!(code, 2);
    assert!(err.contains("已有单位数据"), "{err}");
    let (code, out, _) = huajie(&a, &["user", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("coordinator") && out.contains("clerk.t01"));
    // Same seed, same generated people.
    let b = dir.path().join("b.db");
    assert_eq!(huajie(&b, &["demo", "--seed", "7"]).0, 0);
    assert_eq!(huajie(&b, &["user", "list"]).1, out);
    let (code, out, _) = huajie(&a, &["user", "token", "coordinator"]);
    assert_eq!(code, 0);
    assert!(out.trim().starts_with("hj_") && out.trim().len() == 67);
    let (code, out, err) = huajie(&a, &["demo", "--scale", "3000", "--batch", "1000"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已装入 3000 个程序"), "{out}");
}
