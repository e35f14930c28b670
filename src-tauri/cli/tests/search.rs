//! `bert-studio search` as a user runs it: the trials one after the other, a table with the best
//! marked, and `--resume` of a finished search that trains nothing again.

// The engine's test helpers and fixtures, shared rather than copied.
mod binary;
#[path = "../../engine/tests/common/mod.rs"]
mod common;

use binary::*;
use common::*;

fn search(args: &[&str]) -> (bool, String, String) {
    let out = cli().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_search_trains_each_combination_and_marks_the_best() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_nace_csv(dir.path());
    let output = dir.path().join("search");
    let model = fixtures().join("tiny-bert");
    let (data, output_text, model) = (
        data.display().to_string(),
        output.display().to_string(),
        model.display().to_string(),
    );
    let args = [
        "search",
        "--input",
        &data,
        "--output",
        &output_text,
        "--model",
        &model,
        "--learning-rates",
        "2e-3,5e-4",
        "--epochs",
        "1",
        "--max-seq-len",
        "32",
        "--device",
        "cpu",
    ];
    let (ok, stdout, stderr) = search(&args);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("Search: 2 trials, the best by loss"),
        "{stderr}"
    );
    assert!(stdout.contains("← best"), "{stdout}");
    assert!(stdout.contains("Best by loss: trial-"), "{stdout}");
    for trial in ["trial-1", "trial-2"] {
        assert!(output.join(trial).join("model.safetensors").is_file());
        assert!(!output.join(trial).join("checkpoints").exists());
    }
    let recipe = std::fs::read_to_string(output.join("trial-2/recipe.json")).unwrap();
    assert!(recipe.contains("\"learning_rate\": 0.0005"), "{recipe}");

    // Resumed when everything has finished: the same table, nothing trained again.
    let (ok, stdout, stderr) = search(&["search", "--resume", &output_text, "--json"]);
    assert!(ok, "{stderr}");
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        events.iter().all(|e| e["event"] != "trial_started"),
        "{stdout}"
    );
    assert_eq!(events.last().unwrap()["event"], "finished");
    assert_eq!(
        events.last().unwrap()["results"].as_array().unwrap().len(),
        2
    );

    // The same folder for a different search is refused, and nothing in it is touched.
    let mut other = args.to_vec();
    other[8] = "1e-4";
    let (ok, _, stderr) = search(&other);
    assert!(!ok);
    assert!(stderr.contains("holds another search"), "{stderr}");
    assert!(output.join("trial-1").join("model.safetensors").is_file());
}

#[test]
fn a_search_with_bad_values_says_so_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_nace_csv(dir.path()).display().to_string();
    let output = dir.path().join("s").display().to_string();
    let (ok, _, stderr) = search(&[
        "search",
        "--input",
        &data,
        "--output",
        &output,
        "--learning-rates",
        "2e-5,3",
        "--epochs",
        "2",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("learning_rate must be above 0 and below 1"),
        "{stderr}"
    );
    assert!(!dir.path().join("s").exists());
}
