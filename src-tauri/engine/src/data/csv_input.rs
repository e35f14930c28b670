//! Reading the CSV files people export from their office tools.
//!
//! The encoding is detected (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252,
//! which covers Latin-1), the delimiter is detected among `,` `;` tab `|`, quoted fields may
//! span lines. Input is decoded as a stream, so large files are never read whole here.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use ts_rs::TS;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result};
use crate::message::Message;
use crate::said;

/// How much of the file is looked at to detect the dialect.
const SNIFF_BYTES: usize = 256 * 1024;
pub const DELIMITERS: &[u8] = b",;\t|";

/// How a CSV file is written. Detected, and changeable by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CsvDialect {
    /// One of `,` `;` tab `|`.
    #[serde(with = "delimiter_serde")]
    #[ts(type = "string")]
    pub delimiter: u8,
    pub encoding: TextEncoding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    Utf8,
    Utf16le,
    Utf16be,
    /// Windows-1252, a superset of Latin-1 (ISO-8859-1) for every printable character.
    Windows1252,
}

impl TextEncoding {
    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::Utf16le => UTF_16LE,
            TextEncoding::Utf16be => UTF_16BE,
            TextEncoding::Windows1252 => WINDOWS_1252,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16le => "UTF-16 (little-endian)",
            TextEncoding::Utf16be => "UTF-16 (big-endian)",
            TextEncoding::Windows1252 => "Windows-1252 / Latin-1",
        }
    }
}

impl CsvDialect {
    /// The delimiter in words ("comma", "semicolon", "tab", "pipe"), for reports and messages.
    pub fn delimiter_name(&self) -> &'static str {
        match self.delimiter {
            b'\t' => "tab",
            b';' => "semicolon",
            b'|' => "pipe",
            _ => "comma",
        }
    }
}

mod delimiter_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &u8, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&(*d as char).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "," | ";" | "|" => Ok(text.as_bytes()[0]),
            "\t" | "tab" | "\\t" => Ok(b'\t'),
            other => Err(serde::de::Error::custom(format!(
                "the delimiter must be one of , ; | or tab, not {other:?}"
            ))),
        }
    }
}

/// What the app shows before the user maps columns.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CsvPreview {
    pub path: String,
    pub dialect: CsvDialect,
    pub headers: Vec<String>,
    /// The first rows, as text.
    pub rows: Vec<Vec<String>>,
    pub guessed_text_column: Option<String>,
    pub guessed_label_column: Option<String>,
}

pub(crate) fn data_error(path: &Path, line: Option<u64>, problem: Message) -> EngineError {
    EngineError::Data {
        path: path.display().to_string(),
        line,
        problem,
    }
}

/// Recognises files that are not text at all, from their first bytes.
fn refuse_binary(path: &Path, head: &[u8]) -> Result<()> {
    if head.starts_with(b"PK\x03\x04") {
        return Err(data_error(
            path,
            None,
            said!(
                "data_error.zip",
                "this is a spreadsheet or archive (ZIP/XLSX), not a CSV file: open it in your \
                 spreadsheet program and use \"Save as… CSV\""
            ),
        ));
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(data_error(
            path,
            None,
            said!(
                "data_error.xls",
                "this is an old Excel (.xls) workbook, not a CSV file: open it and use \"Save as… CSV\""
            ),
        ));
    }
    if head.starts_with(b"%PDF") {
        return Err(data_error(
            path,
            None,
            said!("data_error.pdf", "this is a PDF document, not a CSV file"),
        ));
    }
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    let sample = &head[..head.len().min(8192)];
    let nul = sample.iter().filter(|b| **b == 0).count();
    let controls = sample
        .iter()
        .filter(|b| **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if !utf16 && (nul > 0 || controls * 10 > sample.len().max(1)) {
        return Err(data_error(
            path,
            None,
            said!(
                "data_error.binary",
                "this file contains binary data (NUL or control bytes), so it is not a CSV text file"
            ),
        ));
    }
    Ok(())
}

fn detect_encoding(head: &[u8], complete: bool) -> TextEncoding {
    match Encoding::for_bom(head) {
        Some((enc, _)) if enc == UTF_16LE => return TextEncoding::Utf16le,
        Some((enc, _)) if enc == UTF_16BE => return TextEncoding::Utf16be,
        Some(_) => return TextEncoding::Utf8,
        None => {}
    }
    match std::str::from_utf8(head) {
        Ok(_) => TextEncoding::Utf8,
        // Cut in the middle of a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => TextEncoding::Utf8,
        Err(_) => TextEncoding::Windows1252,
    }
}

/// `inner` decoded to UTF-8 from `encoding` (a BOM, if any, wins and is removed).
fn decoded<R: Read>(inner: R, encoding: TextEncoding) -> impl Read {
    encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding.encoding()))
        .bom_override(true)
        .strip_bom(true)
        .build(BufReader::with_capacity(1 << 16, inner))
}

/// A streaming reader of records over any byte source, decoded and with the dialect applied.
/// The source is boxed so that the reader's type can be named (it is kept in structs).
pub fn csv_reader_over<R: Read + 'static>(
    inner: R,
    dialect: CsvDialect,
) -> csv::Reader<Box<dyn Read>> {
    csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(Box::new(decoded(inner, dialect.encoding)))
}

fn read_head(path: &Path) -> Result<(Vec<u8>, bool)> {
    let meta = std::fs::metadata(path).map_err(|e| EngineError::io("open", path, e))?;
    if meta.is_dir() {
        return Err(data_error(
            path,
            None,
            said!("data_error.folder", "this is a folder, not a CSV file"),
        ));
    }
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)
        .map_err(|e| EngineError::io("open", path, e))?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| EngineError::io("read", path, e))?;
    let complete = (head.len() as u64) >= meta.len();
    Ok((head, complete))
}

/// How many bytes of UTF-8 one byte of the file becomes once decoded, from its first 256 KiB:
/// 1 for UTF-8, about ½ for UTF-16, a little over 1 for accented Windows-1252 text.
pub fn decoded_bytes_per_file_byte(path: &Path, encoding: TextEncoding) -> Result<f64> {
    let (head, _) = read_head(path)?;
    if head.is_empty() {
        return Ok(1.0);
    }
    let (text, _, _) = encoding.encoding().decode(&head);
    Ok(text.len() as f64 / head.len() as f64)
}

/// Detects encoding and delimiter from the start of the file.
pub fn sniff_dialect(path: &Path) -> Result<CsvDialect> {
    let (head, complete) = read_head(path)?;
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(data_error(
            path,
            None,
            said!("data_error.empty", "the file is empty"),
        ));
    }
    refuse_binary(path, &head)?;
    let encoding = detect_encoding(&head, complete);
    let (text, _, _) = encoding.encoding().decode(&head);
    let delimiter = detect_delimiter(&text, complete);
    Ok(CsvDialect {
        delimiter,
        encoding,
    })
}

/// The delimiter that splits the sample into the most consistent table: every record with the
/// header's number of fields, and more than one field.
fn detect_delimiter(text: &str, complete: bool) -> u8 {
    // Drop a possibly cut last line.
    let text = if complete {
        text
    } else {
        text.rsplit_once('\n').map_or(text, |(a, _)| a)
    };
    let mut best = (b',', 0usize, 0.0f64);
    for &d in DELIMITERS {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(d)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut counts = Vec::new();
        for record in reader.records().take(200) {
            match record {
                Ok(r) => counts.push(r.len()),
                Err(_) => break,
            }
        }
        let Some(&fields) = counts.first() else {
            continue;
        };
        if fields < 2 {
            continue;
        }
        let consistent =
            counts.iter().filter(|c| **c == fields).count() as f64 / counts.len() as f64;
        if consistent > best.2 + 1e-9 || (consistent >= best.2 - 1e-9 && fields > best.1) {
            best = (d, fields, consistent);
        }
    }
    best.0
}

/// A streaming reader of records, with the dialect applied.
pub fn csv_reader(path: &Path, dialect: CsvDialect) -> Result<csv::Reader<Box<dyn Read>>> {
    let file = File::open(path).map_err(|e| EngineError::io("open", path, e))?;
    Ok(csv_reader_over(file, dialect))
}

/// Turns a csv error into a plain-words error with the line it occurred on.
pub(crate) fn record_error(path: &Path, err: csv::Error) -> EngineError {
    let line = err.position().map(|p| p.line());
    match err.kind() {
        csv::ErrorKind::Utf8 { .. } => data_error(
            path,
            line,
            said!(
                "data_error.encoding",
                "the text is not valid in the detected encoding; choose the file's encoding by hand"
            ),
        ),
        csv::ErrorKind::Io(e) => EngineError::io("read", path, e),
        _ => data_error(
            path,
            line,
            said!(
                "data_error.not_csv",
                "the file cannot be read as CSV ({detail})",
                detail = err.to_string()
            ),
        ),
    }
}

/// Reads the next record into `record`: false at the end of the file.
pub(crate) fn next_record<R: Read>(
    path: &Path,
    reader: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
) -> Result<bool> {
    reader
        .read_record(record)
        .map_err(|e| record_error(path, e))
}

/// The header row, with a check for blank and repeated names.
pub fn read_headers<R: Read>(path: &Path, reader: &mut csv::Reader<R>) -> Result<Vec<String>> {
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| record_error(path, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(data_error(
            path,
            Some(1),
            said!(
                "data_error.empty_header",
                "the first line (the column names) is empty"
            ),
        ));
    }
    Ok(headers)
}

/// A reader past the header of a file of pairs (a label and its name, its weight…): `too_few`
/// says what the file needs when its header has fewer than two columns.
pub(crate) fn two_column_reader(
    path: &Path,
    too_few: Message,
) -> Result<csv::Reader<Box<dyn Read>>> {
    let mut reader = csv_reader(path, sniff_dialect(path)?)?;
    if read_headers(path, &mut reader)?.len() < 2 {
        return Err(data_error(path, Some(1), too_few));
    }
    Ok(reader)
}

/// Headers, the first `max_rows` rows and a guess of the text and label columns.
pub fn preview_csv(
    path: &Path,
    dialect: Option<CsvDialect>,
    max_rows: usize,
) -> Result<CsvPreview> {
    let dialect = match dialect {
        Some(d) => d,
        None => sniff_dialect(path)?,
    };
    let mut reader = csv_reader(path, dialect)?;
    let headers = read_headers(path, &mut reader)?;
    let mut rows = Vec::new();
    for record in reader.records().take(max_rows) {
        let record = record.map_err(|e| record_error(path, e))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    let (text, label) = guess_columns(&headers, &rows);
    Ok(CsvPreview {
        path: path.display().to_string(),
        dialect,
        headers,
        rows,
        guessed_text_column: text,
        guessed_label_column: label,
    })
}

const TEXT_NAMES: &[&str] = &[
    "text",
    "texte",
    "sentence",
    "description",
    "libelle",
    "libellé",
    "content",
    "body",
];
const LABEL_NAMES: &[&str] = &[
    "label",
    "labels",
    "class",
    "classe",
    "category",
    "categorie",
    "catégorie",
    "target",
    "code",
    "y",
];

/// Column guesses: a conventional name first, else the longest texts and the most repeated
/// short values.
pub fn guess_columns(headers: &[String], rows: &[Vec<String>]) -> (Option<String>, Option<String>) {
    let by_name = |names: &[&str]| {
        headers
            .iter()
            .find(|h| names.contains(&h.to_lowercase().as_str()))
            .cloned()
    };
    let column = |i: usize| rows.iter().filter_map(move |r| r.get(i)).map(|v| v.trim());
    let mean_len = |i: usize| {
        let (sum, n) = column(i).fold((0usize, 0usize), |(s, n), v| (s + v.chars().count(), n + 1));
        if n == 0 { 0.0 } else { sum as f64 / n as f64 }
    };
    let text = by_name(TEXT_NAMES).or_else(|| {
        (0..headers.len())
            .max_by(|a, b| mean_len(*a).total_cmp(&mean_len(*b)))
            .map(|i| headers[i].clone())
    });
    let label = by_name(LABEL_NAMES)
        .filter(|l| Some(l) != text.as_ref())
        .or_else(|| {
            (0..headers.len())
                .filter(|i| Some(&headers[*i]) != text.as_ref())
                .min_by_key(|i| {
                    let distinct: std::collections::BTreeSet<&str> = column(*i).collect();
                    (distinct.len(), (mean_len(*i) * 10.0) as usize)
                })
                .map(|i| headers[i].clone())
        });
    (text, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn dialects_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let cases: &[(&[u8], u8, TextEncoding)] = &[
            (b"text,label\n\"a, b\",x\nc,y\n", b',', TextEncoding::Utf8),
            (b"text;label\n\"a; b\";x\nc;y\n", b';', TextEncoding::Utf8),
            (b"text\tlabel\na, b; c\tx\n", b'\t', TextEncoding::Utf8),
            (b"text|label\na,b;c|x\n", b'|', TextEncoding::Utf8),
            (
                b"\xEF\xBB\xBFtext;label\n\xC3\xA9t\xC3\xA9;x\n",
                b';',
                TextEncoding::Utf8,
            ),
            (
                b"text;label\n\xE9t\xE9;x\n",
                b';',
                TextEncoding::Windows1252,
            ),
        ];
        for (i, (bytes, delimiter, encoding)) in cases.iter().enumerate() {
            let p = write(dir.path(), &format!("{i}.csv"), bytes);
            let d = sniff_dialect(&p).unwrap();
            assert_eq!(
                (d.delimiter, d.encoding),
                (*delimiter, *encoding),
                "case {i}"
            );
        }
    }

    #[test]
    fn latin1_bom_and_utf16_decode_to_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let expected = vec![vec!["Élevage de vaches laitières".to_string(), "A".into()]];
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "text,label\r\nÉlevage de vaches laitières,A\r\n".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let latin1: Vec<u8> = "text,label\nÉlevage de vaches laitières,A\n"
            .chars()
            .map(|c| c as u8)
            .collect();
        for (name, bytes) in [
            (
                "bom.csv",
                "\u{FEFF}text,label\nÉlevage de vaches laitières,A\n"
                    .as_bytes()
                    .to_vec(),
            ),
            ("latin1.csv", latin1),
            ("utf16.csv", utf16),
        ] {
            let p = write(dir.path(), name, &bytes);
            let preview = preview_csv(&p, None, 10).unwrap();
            assert_eq!(preview.headers, vec!["text", "label"], "{name}");
            assert_eq!(preview.rows, expected, "{name}");
        }
    }

    #[test]
    fn quoted_newlines_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "q.csv",
            b"label,text\nA,\"line one\nline two\"\nB,plain\n",
        );
        let preview = preview_csv(&p, None, 10).unwrap();
        assert_eq!(preview.rows[0][1], "line one\nline two");
        assert_eq!(preview.guessed_text_column.as_deref(), Some("text"));
        assert_eq!(preview.guessed_label_column.as_deref(), Some("label"));
    }

    #[test]
    fn columns_are_guessed_without_conventional_names() {
        let headers = vec![
            "code".to_string(),
            "libelle_long".to_string(),
            "id".to_string(),
        ];
        let rows: Vec<Vec<String>> = (0..20)
            .map(|i| {
                vec![
                    format!("{}", i % 3),
                    format!("a long description number {i}"),
                    format!("{i}"),
                ]
            })
            .collect();
        let (text, label) = guess_columns(&headers, &rows);
        assert_eq!(text.as_deref(), Some("libelle_long"));
        assert_eq!(label.as_deref(), Some("code"));
    }

    #[test]
    fn non_csv_files_are_refused_in_plain_words() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, words) in [
            ("empty.csv", &b""[..], "empty"),
            ("blank.csv", &b"\n \n"[..], "empty"),
            ("book.csv", &b"PK\x03\x04\x14\x00\x06\x00"[..], "Save as"),
            ("bin.csv", &b"\x00\x01\x02\x03garbage\x00\x00"[..], "binary"),
        ] {
            let p = write(dir.path(), name, bytes);
            let err = preview_csv(&p, None, 5).unwrap_err().to_string();
            assert!(err.contains(words), "{name}: {err}");
            assert!(err.contains(name), "{name}: {err}");
        }
    }
}
