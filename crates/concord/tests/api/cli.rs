//! The `concord` command line, run as a user runs it.

use std::process::Command;

fn concord(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .output()
        .expect("run concord");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn classify_suggests_trains_and_evaluates_without_a_database() {
    let (ok, out, err) = concord(&[
        "classify",
        "--text",
        "楼上漏水把我家天花板泡坏了,物业也不管",
    ]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("1. ") && lines[0].contains("置信度"),
        "{out}"
    );
    assert!(lines.len() >= 3, "three suggestions: {out}");

    let dir = std::env::temp_dir().join(format!("concord_cli_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("train.jsonl");
    std::fs::write(
        &data,
        concat!(
            "{\"text\": \"祠堂重修摊派份子钱\", \"category\": \"other\", \"source\": \"ignored\"}\n",
            "\n",
            "{\"text\": \"宗祠修缮摊派不公\", \"category\": \"other\"}\n",
        ),
    )
    .unwrap();
    let model = dir.join("model.json");
    let (ok, out, err) = concord(&[
        "classify",
        "train",
        "--file",
        data.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("2 条样本"), "{out}");
    let (ok, out, err) = concord(&[
        "classify",
        "eval",
        "--file",
        data.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let last = out.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("accuracy=") && last.contains(" macro_f1="),
        "{out}"
    );
    assert!(out.contains("confusion"), "{out}");

    std::fs::write(&data, "{\"text\": \"缺了类别\"}\n").unwrap();
    let (ok, _, err) = concord(&["classify", "eval", "--file", data.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("第1行"), "names the line: {err}");
    let _ = std::fs::remove_dir_all(dir);
}
