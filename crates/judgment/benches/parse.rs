//! Parse time per document over the development set (release build):
//! `cargo bench -p huajie-judgment --bench parse`.

use std::time::Instant;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judgments-dev");
    let mut docs: Vec<String> = std::fs::read_dir(&dir)
        .expect("judgments-dev")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| std::fs::read_to_string(e.path()).expect("utf-8"))
        .collect();
    docs.sort();
    let chars: usize = docs.iter().map(|d| d.chars().count()).sum();
    // Warm up the lazily compiled patterns, then time whole passes.
    for d in &docs {
        std::hint::black_box(huajie_judgment::parse(d).ok());
    }
    let rounds = 200;
    let t = Instant::now();
    for _ in 0..rounds {
        for d in &docs {
            std::hint::black_box(huajie_judgment::parse(std::hint::black_box(d)).ok());
        }
    }
    let per_doc = t.elapsed().as_secs_f64() / (rounds * docs.len()) as f64;
    println!(
        "{} documents ({} characters on average): {:.3} ms per document, {:.0} documents/s on one core",
        docs.len(),
        chars / docs.len(),
        per_doc * 1000.0,
        1.0 / per_doc
    );
}
