//! Text → token ids, with the model's own tokenizer.
//!
//! A folder's `tokenizer.json` is loaded by the `tokenizers` crate as is: WordPiece (BERT,
//! DistilBERT, ELECTRA), byte-level BPE (RoBERTa) or SentencePiece Unigram (CamemBERT,
//! XLM-RoBERTa), with the special tokens and truncation its post-processor describes. A folder
//! that only has `vocab.txt` (older BERT checkpoints) gets the WordPiece pipeline
//! `transformers` builds for `BertTokenizerFast` from the same file and `tokenizer_config.json`.
//! A folder with only a SentencePiece or BPE vocabulary is refused with what to do: converting
//! those needs `transformers`' own converters, which no Rust crate reproduces.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use serde::Serialize;
use serde_json::Value;
use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use super::ModelInput;
use crate::error::{EngineError, Result};
use crate::said;

/// Tokenizer files copied verbatim when a model folder is saved.
pub const TOKENIZER_FILES: &[&str] = &[
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "special_tokens_map.json",
    "sentencepiece.bpe.model",
    "spm.model",
    "vocab.json",
    "merges.txt",
];

/// Vocabularies of slow tokenizers that need `transformers` to become a `tokenizer.json`.
const UNCONVERTED_VOCABULARIES: &[&str] = &["sentencepiece.bpe.model", "spm.model", "vocab.json"];

/// Facts about a tokenizer that the user may want to see (`bert-studio inspect`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TokenizerFacts {
    /// `tokenizer.json` or `vocab.txt`: which file the tokenizer was built from.
    pub source: String,
    pub vocab_size: usize,
    pub lowercase: Option<bool>,
    pub model_max_length: Option<usize>,
    pub pad_token: String,
    pub pad_id: u32,
}

/// Token ids for a batch of texts, padded to the longest one.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenizedBatch {
    pub batch_size: usize,
    pub seq_len: usize,
    /// Row-major `[batch_size, seq_len]`.
    pub input_ids: Vec<i64>,
    /// 1 for real tokens, 0 for padding.
    pub attention_mask: Vec<i64>,
}

impl TokenizedBatch {
    pub fn to_input<B: Backend>(&self, device: &B::Device) -> ModelInput<B> {
        let shape = [self.batch_size, self.seq_len];
        let ids =
            Tensor::<B, 2, Int>::from_data(TensorData::new(self.input_ids.clone(), shape), device);
        let mask = Tensor::<B, 2, Int>::from_data(
            TensorData::new(self.attention_mask.clone(), shape),
            device,
        );
        ModelInput {
            input_ids: ids,
            padding_mask: mask.equal_elem(0),
        }
    }
}

/// Where a token came from in its text (byte offsets); `None` for [CLS], [SEP] and the like.
pub type TokenSpan = Option<(usize, usize)>;

pub struct TextTokenizer {
    tokenizer: Tokenizer,
    facts: TokenizerFacts,
    /// The folder's tokenizer files (name, bytes), written back unchanged on save.
    files: Vec<(String, Vec<u8>)>,
    /// The tokenizer set to cut at a length, kept for the next call with the same length (a
    /// copy costs the whole vocabulary).
    truncating: Mutex<Option<(usize, Arc<Tokenizer>)>>,
}

impl Clone for TextTokenizer {
    fn clone(&self) -> Self {
        TextTokenizer {
            tokenizer: self.tokenizer.clone(),
            facts: self.facts.clone(),
            files: self.files.clone(),
            truncating: Mutex::new(None),
        }
    }
}

/// Token ids of texts, each cut to a maximum length, and how many had to be cut.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedTexts {
    pub ids: Vec<Vec<u32>>,
    /// Texts longer than the maximum length (a text of exactly that length is whole).
    pub cut: usize,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("facts", &self.facts)
            .finish()
    }
}

fn tokenize_error(e: tokenizers::Error) -> EngineError {
    EngineError::invalid(said!(
        "invalid.tokenize",
        "A text could not be tokenized: {detail}",
        detail = e.to_string()
    ))
}

fn tokenizer_error(path: &Path, reason: impl std::fmt::Display) -> EngineError {
    EngineError::Tokenizer {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

impl TextTokenizer {
    /// Loads the tokenizer of a model folder. `pad_token_id` comes from `config.json`.
    pub fn from_folder(folder: &Path, pad_token_id: usize) -> Result<Self> {
        let config = read_tokenizer_config(folder)?;
        let json_path = folder.join("tokenizer.json");
        let vocab_path = folder.join("vocab.txt");
        let (tokenizer, source) = if json_path.is_file() {
            let tokenizer =
                Tokenizer::from_file(&json_path).map_err(|e| tokenizer_error(&json_path, e))?;
            (tokenizer, "tokenizer.json")
        } else if vocab_path.is_file() {
            (wordpiece_from_vocab(&vocab_path, &config)?, "vocab.txt")
        } else if let Some(found) = UNCONVERTED_VOCABULARIES
            .iter()
            .find(|name| folder.join(name).is_file())
        {
            return Err(crate::model::LoadError::MissingFile {
                path: json_path.display().to_string(),
                what: crate::error::ModelFile::TokenizerJson,
                reason: format!(
                    "the folder has {found} but no tokenizer.json, the file BERT Studio reads the \
                     tokenizer from. Download the model again from the Hub (its tokenizer.json \
                     comes with it), or create the file with Python: from transformers import \
                     AutoTokenizer; AutoTokenizer.from_pretrained(\"{folder}\").save_pretrained(\"{folder}\")",
                    folder = folder.display()
                ),
            }
            .into());
        } else {
            return Err(crate::model::LoadError::MissingFile {
                path: folder.display().to_string(),
                what: crate::error::ModelFile::Tokenizer,
                reason: "neither file exists".into(),
            }
            .into());
        };

        let mut files = Vec::new();
        for name in TOKENIZER_FILES {
            let path = folder.join(name);
            if path.is_file() {
                let bytes = std::fs::read(&path).map_err(|e| EngineError::io("read", &path, e))?;
                files.push((name.to_string(), bytes));
            }
        }
        if source == "vocab.txt" {
            // Also ship a tokenizer.json so the saved folder is self-describing.
            let json = tokenizer
                .to_string(true)
                .map_err(|e| tokenizer_error(&vocab_path, e))?;
            files.push(("tokenizer.json".into(), json.into_bytes()));
        }

        let pad_token = config
            .get("pad_token")
            .and_then(special_token_text)
            .or_else(|| tokenizer.id_to_token(pad_token_id as u32))
            .unwrap_or_else(|| "[PAD]".into());
        let pad_id = tokenizer
            .token_to_id(&pad_token)
            .unwrap_or(pad_token_id as u32);
        let facts = TokenizerFacts {
            source: source.into(),
            vocab_size: tokenizer.get_vocab_size(true),
            lowercase: config.get("do_lower_case").and_then(Value::as_bool),
            model_max_length: config
                .get("model_max_length")
                .and_then(Value::as_u64)
                .filter(|n| *n < 1_000_000)
                .map(|n| n as usize),
            pad_token,
            pad_id,
        };
        Ok(TextTokenizer {
            tokenizer,
            facts,
            files,
            truncating: Mutex::new(None),
        })
    }

    pub fn facts(&self) -> &TokenizerFacts {
        &self.facts
    }

    pub fn vocab_size(&self) -> usize {
        self.facts.vocab_size
    }

    /// Tokenizes `texts` with [CLS]/[SEP], truncates each to `max_len` tokens, and pads the
    /// batch to its longest sequence (dynamic padding).
    pub fn encode_batch(&self, texts: &[&str], max_len: usize) -> Result<TokenizedBatch> {
        let ids = self.encode_each(texts, max_len)?;
        let rows: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
        Ok(self.pad(&rows))
    }

    /// Token ids of each text with [CLS]/[SEP], cut to `max_len` tokens, not padded.
    pub fn encode_each(&self, texts: &[&str], max_len: usize) -> Result<Vec<Vec<u32>>> {
        Ok(self.encode_counting_cuts(texts, max_len)?.ids)
    }

    /// As `encode_each`, and counts the texts that were cut.
    pub fn encode_counting_cuts(&self, texts: &[&str], max_len: usize) -> Result<EncodedTexts> {
        let tokenizer = self.truncating_at(max_len)?;
        let encodings = tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(tokenize_error)?;
        // The tokenizer moves what it cuts off into `overflowing`.
        let cut = encodings
            .iter()
            .filter(|e| !e.get_overflowing().is_empty())
            .count();
        let ids = encodings
            .into_iter()
            .map(|e| e.get_ids().to_vec())
            .collect();
        Ok(EncodedTexts { ids, cut })
    }

    /// One text's token ids cut to `max_len`, with where each token came from in the text
    /// (byte offsets; `None` for [CLS], [SEP] and the like), and whether it was cut.
    pub fn encode_with_offsets(
        &self,
        text: &str,
        max_len: usize,
    ) -> Result<(Vec<u32>, Vec<TokenSpan>, bool)> {
        let tokenizer = self.truncating_at(max_len)?;
        let encoding = tokenizer.encode(text, true).map_err(tokenize_error)?;
        let spans = encoding
            .get_offsets()
            .iter()
            .zip(encoding.get_special_tokens_mask())
            .map(|(&span, &special)| (special == 0).then_some(span))
            .collect();
        let cut = !encoding.get_overflowing().is_empty();
        Ok((encoding.get_ids().to_vec(), spans, cut))
    }

    /// The tokenizer, cutting at `max_len` tokens (special tokens included), without padding.
    fn truncating_at(&self, max_len: usize) -> Result<Arc<Tokenizer>> {
        if max_len < 2 {
            return Err(max_len_too_short());
        }
        // A panic elsewhere cannot leave the cache half-written: it is replaced whole.
        let mut cached = self
            .truncating
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((len, tokenizer)) = cached.as_ref()
            && *len == max_len
        {
            return Ok(tokenizer.clone());
        }
        let mut tokenizer = self.tokenizer.clone();
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: max_len,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(EngineError::internal)?;
        tokenizer.with_padding(None);
        let tokenizer = Arc::new(tokenizer);
        *cached = Some((max_len, tokenizer.clone()));
        Ok(tokenizer)
    }

    /// Pads token-id rows to the longest one, with the attention mask.
    pub fn pad(&self, rows: &[&[u32]]) -> TokenizedBatch {
        let seq_len = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut input_ids = Vec::with_capacity(rows.len() * seq_len);
        let mut attention_mask = Vec::with_capacity(rows.len() * seq_len);
        for row in rows {
            input_ids.extend(row.iter().map(|&id| id as i64));
            input_ids.extend(std::iter::repeat_n(
                self.facts.pad_id as i64,
                seq_len - row.len(),
            ));
            attention_mask.extend(std::iter::repeat_n(1i64, row.len()));
            attention_mask.extend(std::iter::repeat_n(0i64, seq_len - row.len()));
        }
        TokenizedBatch {
            batch_size: rows.len(),
            seq_len,
            input_ids,
            attention_mask,
        }
    }

    /// Writes the tokenizer files into `folder`.
    pub fn save_files(&self, folder: &Path) -> Result<()> {
        for (name, bytes) in &self.files {
            let path = folder.join(name);
            std::fs::write(&path, bytes).map_err(|e| EngineError::io("write", &path, e))?;
        }
        Ok(())
    }
}

fn read_tokenizer_config(folder: &Path) -> Result<serde_json::Map<String, Value>> {
    let path: PathBuf = folder.join("tokenizer_config.json");
    if !path.is_file() {
        return Ok(Default::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| EngineError::io("read", &path, e))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(tokenizer_error(&path, "it is not a JSON object")),
        Err(e) => Err(tokenizer_error(
            &path,
            format!("it is not valid JSON ({e})"),
        )),
    }
}

/// Special tokens are either a string or `{"content": "[PAD]", …}` in tokenizer_config.json.
fn special_token_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m.get("content").and_then(Value::as_str).map(String::from),
        _ => None,
    }
}

/// The pipeline of `transformers`' `BertTokenizerFast` built from `vocab.txt`.
fn wordpiece_from_vocab(
    vocab: &Path,
    config: &serde_json::Map<String, Value>,
) -> Result<Tokenizer> {
    let token = |key: &str, default: &str| {
        config
            .get(key)
            .and_then(special_token_text)
            .unwrap_or_else(|| default.to_string())
    };
    let unk = token("unk_token", "[UNK]");
    let cls = token("cls_token", "[CLS]");
    let sep = token("sep_token", "[SEP]");
    let lowercase = config
        .get("do_lower_case")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let strip_accents = config.get("strip_accents").and_then(Value::as_bool);
    let chinese = config
        .get("tokenize_chinese_chars")
        .and_then(Value::as_bool)
        .unwrap_or(true);

    let vocab_str = vocab
        .to_str()
        .ok_or_else(|| tokenizer_error(vocab, "the path is not valid UTF-8"))?;
    let model = WordPiece::from_file(vocab_str)
        .unk_token(unk)
        .build()
        .map_err(|e| tokenizer_error(vocab, e))?;
    let mut tokenizer = Tokenizer::new(model);
    let id = |t: &str| {
        tokenizer.token_to_id(t).ok_or_else(|| {
            tokenizer_error(
                vocab,
                format!("the special token {t} is not in the vocabulary"),
            )
        })
    };
    let (cls_id, sep_id) = (id(&cls)?, id(&sep)?);
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(
            true,
            chinese,
            strip_accents,
            lowercase,
        )))
        .with_pre_tokenizer(Some(BertPreTokenizer))
        .with_post_processor(Some(BertProcessing::new((sep, sep_id), (cls, cls_id))))
        .with_decoder(Some(WordPieceDecoder::default()));
    Ok(tokenizer)
}

/// A maximum length that leaves no room for a text between the start and end marks.
pub(crate) fn max_len_too_short() -> EngineError {
    EngineError::invalid(said!(
        "invalid.max_len_too_short",
        "The maximum sequence length must be at least 2 tokens (the start and end marks)."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> TextTokenizer {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-bert");
        TextTokenizer::from_folder(&folder, 0).unwrap()
    }

    #[test]
    fn a_text_of_exactly_the_maximum_length_is_not_counted_as_cut() {
        let tokenizer = tiny();
        let text = "la culture de céréales et de légumineuses";
        let whole = tokenizer.encode_counting_cuts(&[text], 512).unwrap();
        assert_eq!(whole.cut, 0);
        let length = whole.ids[0].len();
        assert!(length > 4, "the text has {length} tokens");

        let exact = tokenizer.encode_counting_cuts(&[text], length).unwrap();
        assert_eq!((exact.cut, &exact.ids), (0, &whole.ids));
        let shorter = tokenizer
            .encode_counting_cuts(&[text, text], length - 1)
            .unwrap();
        assert_eq!(shorter.cut, 2);
        assert_eq!(shorter.ids[0].len(), length - 1);
        // Still ends with [SEP]: the cut is inside the text.
        assert_eq!(shorter.ids[0].last(), whole.ids[0].last());
    }

    #[test]
    fn the_truncating_tokenizer_is_made_once_per_length() {
        let tokenizer = tiny();
        let first = tokenizer.truncating_at(16).unwrap();
        assert!(Arc::ptr_eq(&first, &tokenizer.truncating_at(16).unwrap()));
        let other = tokenizer.truncating_at(8).unwrap();
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(
            tokenizer
                .encode_each(&["un deux trois quatre cinq six sept huit neuf"], 8)
                .unwrap()[0]
                .len(),
            8
        );
    }
}
