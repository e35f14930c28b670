//! Corrections of a data file's labels: kept beside the model, undone, and applied to a copy of
//! the file (never the file itself), for rows found by the error inspector.

mod common;

use std::path::Path;

use bert_studio_engine::corrections::{
    CorrectedRow, Correction, Corrections, corrected_training_file, write_corrected_copy,
};
use bert_studio_engine::inference::{ClassifierOptions, EvaluateRequest, evaluate_csv};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{CancelToken, DeviceChoice};
use common::*;

/// A semicolon file with an id column and a text spanning two lines, so that a row's line is
/// not its index.
const DATA: &str = "id;text;label\n\
1;Culture de céréales;Agriculture\n\
2;\"Fabrication de pâtes\nalimentaires\";Industrie\n\
3;Activités des agences de voyage;Services\n\
4;Élevage de vaches laitières;Industrie\n\
5;Programmation informatique;Services\n";

fn read(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn row(file: &Path, line: u64, text: &str, label: &str, correction: Correction) -> CorrectedRow {
    CorrectedRow {
        file: file.display().to_string(),
        line,
        text: text.into(),
        label: label.into(),
        correction,
    }
}

#[test]
fn corrections_are_kept_undone_and_applied_to_a_copy_only() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("data.csv");
    std::fs::write(&source, DATA).unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();

    assert_eq!(Corrections::load(&model).unwrap(), Corrections::default());
    let mut kept = Corrections::default();
    let relabel = |label: &str| Correction::Relabel {
        label: label.into(),
    };
    // The fourth row starts on line 6: the header is line 1, the second row's text spans 3–4.
    kept.set(row(
        &source,
        6,
        "Élevage de vaches laitières",
        "Industrie",
        relabel("Services"),
    ));
    kept.set(row(
        &source,
        6,
        "Élevage de vaches laitières",
        "Industrie",
        relabel("Agriculture"),
    ));
    kept.set(row(
        &source,
        5,
        "Activités des agences de voyage",
        "Services",
        Correction::Exclude,
    ));
    kept.set(row(
        &source,
        7,
        "Programmation informatique",
        "Services",
        Correction::Exclude,
    ));
    assert_eq!(
        kept.rows.len(),
        3,
        "a row corrected twice keeps its last correction"
    );
    assert!(kept.undo(&source.display().to_string(), 7));
    assert!(
        !kept.undo(&source.display().to_string(), 7),
        "nothing left to undo"
    );
    kept.save(&model).unwrap();
    let loaded = Corrections::load(&model).unwrap();
    assert_eq!(loaded, kept);

    let copy = dir.path().join("data_corrected.csv");
    let written = write_corrected_copy(&source, "text", "label", &loaded, &copy).unwrap();
    assert_eq!(
        (written.rows_written, written.relabelled, written.excluded),
        (4, 1, 1)
    );
    assert_eq!(
        read(&copy),
        [
            ["1", "Culture de céréales", "Agriculture"],
            ["2", "Fabrication de pâtes\nalimentaires", "Industrie"],
            ["4", "Élevage de vaches laitières", "Agriculture"],
            ["5", "Programmation informatique", "Services"],
        ]
    );
    assert_eq!(
        std::fs::read_to_string(&source).unwrap(),
        DATA,
        "the user's file is untouched"
    );

    // The file moved (a classified file saved elsewhere): its corrections follow it.
    let moved = dir.path().join("moved.csv");
    std::fs::rename(&source, &moved).unwrap();
    let mut followed = loaded.clone();
    let (from, to) = (source.display().to_string(), moved.display().to_string());
    assert!(followed.file_moved(&from, &to));
    assert!(
        !followed.file_moved(&from, &to),
        "nothing left at the old path"
    );
    let again = dir.path().join("moved_corrected.csv");
    let written_again = write_corrected_copy(&moved, "text", "label", &followed, &again).unwrap();
    assert_eq!(written_again, written);
    std::fs::rename(&moved, &source).unwrap();

    // The file changed under a correction: refused, and no copy written.
    std::fs::write(&source, DATA.replace("vaches laitières", "chèvres")).unwrap();
    std::fs::remove_file(&copy).unwrap();
    let refused = write_corrected_copy(&source, "text", "label", &loaded, &copy)
        .unwrap_err()
        .to_string();
    assert!(refused.contains("has changed since line 6"), "{refused}");
    assert!(!copy.exists());

    std::fs::write(model.join("corrections.json"), "{ not json").unwrap();
    let unreadable = Corrections::load(&model).unwrap_err().to_string();
    assert!(unreadable.contains("could not be read"), "{unreadable}");
}

#[test]
fn a_row_the_inspector_shows_wrong_is_corrected_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("data.csv");
    std::fs::write(&source, DATA).unwrap();
    let mut request = EvaluateRequest::new(&source);
    request.text_column = Some("text".into());
    let options = ClassifierOptions {
        device: DeviceChoice::Cpu,
        max_len: None,
        hub: HubSettings::from_env(),
    };
    let tiny = fixtures().join("tiny-bert").display().to_string();
    let report = evaluate_csv(&tiny, &options, &request, &mut |_| {}, &CancelToken::new()).unwrap();
    let wrong = report
        .misclassified
        .first()
        .expect("the random model gets a row wrong");
    let right = wrong.predicted[0].label.clone();
    let mut kept = Corrections::default();
    kept.set(row(
        &source,
        wrong.line,
        &wrong.text,
        &wrong.true_label,
        Correction::Relabel {
            label: right.clone(),
        },
    ));
    let copy = dir.path().join("copy.csv");
    write_corrected_copy(&source, "text", "label", &kept, &copy).unwrap();
    let rows = read(&copy);
    let corrected = rows.iter().find(|r| r[1] == wrong.text).unwrap();
    assert_eq!(
        corrected[2], right,
        "the row the inspector showed now has the label it was given"
    );
}

#[test]
fn a_latin1_file_gives_a_utf8_copy_a_spreadsheet_reads_and_a_vanished_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("latin1.csv");
    let (bytes, _, _) =
        encoding_rs::WINDOWS_1252.encode("text;label\nÉlevage de porcs;Industrie\n");
    std::fs::write(&source, &bytes).unwrap();
    let mut kept = Corrections::default();
    kept.set(row(
        &source,
        2,
        "Élevage de porcs",
        "Industrie",
        Correction::Relabel {
            label: "Agriculture".into(),
        },
    ));
    let copy = dir.path().join("copy.csv");
    write_corrected_copy(&source, "text", "label", &kept, &copy).unwrap();
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        "\u{feff}text;label\nÉlevage de porcs;Agriculture\n"
    );

    // A copy never replaces a file, and a corrected row no longer in the file is refused.
    assert!(write_corrected_copy(&source, "text", "label", &kept, &copy).is_err());
    kept.set(row(&source, 9, "Pêche", "Agriculture", Correction::Exclude));
    let gone = write_corrected_copy(&source, "text", "label", &kept, &dir.path().join("b.csv"))
        .unwrap_err()
        .to_string();
    assert!(gone.contains("has changed since line 9"), "{gone}");
}

#[test]
fn training_again_needs_corrections_to_the_training_file_and_writes_its_copy() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.csv");
    let test = dir.path().join("test.csv");
    std::fs::write(&train, DATA).unwrap();
    std::fs::write(&test, DATA).unwrap();
    let mut kept = Corrections::default();
    kept.set(row(
        &test,
        2,
        "Culture de céréales",
        "Agriculture",
        Correction::Exclude,
    ));
    let beside = dir.path().join("train_corrected.csv");
    let refused = corrected_training_file(&train, "text", "label", &kept, &beside)
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("None of the corrections is to \"train.csv\""),
        "{refused}"
    );

    // Corrected through another spelling of the same file (a symbolic link): still the
    // training file's corrections.
    #[cfg(unix)]
    let through = {
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&train, &link).unwrap();
        link
    };
    #[cfg(not(unix))]
    let through = train.clone();
    kept.set(row(
        &through,
        2,
        "Culture de céréales",
        "Agriculture",
        Correction::Exclude,
    ));
    assert!(!beside.exists(), "nothing written when refused");
    // What a page showing the training file is sent: that file's row (through the link), not
    // the test file's.
    let shown = kept.only_of(&train.display().to_string());
    assert_eq!(shown.rows.len(), 1);
    assert_eq!(shown.rows[0].file, through.display().to_string());
    let written = corrected_training_file(&train, "text", "label", &kept, &beside).unwrap();
    assert_eq!((written.rows_written, written.excluded), (4, 1));
    assert_eq!(read(&beside)[0][1], "Fabrication de pâtes\nalimentaires");
}
