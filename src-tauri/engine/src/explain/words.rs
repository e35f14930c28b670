//! The words as the user typed them, and which tokens make up each one: explanations are read
//! per word, while the model attributes per sub-word token.

use crate::model::TokenSpan;

/// Byte spans of the whitespace-separated words of `text`.
pub fn typed_words(text: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, text.len()));
    }
    words
}

/// For each token, the word it overlaps first (`None`: [CLS], [SEP] and other special tokens,
/// which come from no word). Overlap rather than the first byte: some tokenizers count the space
/// before a word into its first token.
pub fn word_of_each_token(
    words: &[(usize, usize)],
    token_spans: &[TokenSpan],
) -> Vec<Option<usize>> {
    token_spans
        .iter()
        .map(|span| {
            let (start, end) = (*span)?;
            words
                .iter()
                .position(|&(s, e)| start < e && s < end.max(start + 1))
        })
        .collect()
}

/// The first word past the text the model reads: the words from there on played no part.
/// Words before it that no token came from (characters the tokenizer drops) count as read.
pub fn first_unread_word(words: &[(usize, usize)], token_spans: &[TokenSpan], cut: bool) -> usize {
    if !cut {
        return words.len();
    }
    let read_to = token_spans
        .iter()
        .flatten()
        .map(|&(_, e)| e)
        .max()
        .unwrap_or(0);
    words
        .iter()
        .position(|&(s, _)| s >= read_to)
        .unwrap_or(words.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_at_any_whitespace_and_tokens_find_theirs() {
        let text = "  Culture de\tcéréales\n";
        let words = typed_words(text);
        let read: Vec<&str> = words.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(read, ["Culture", "de", "céréales"]);
        // "céréales" as two pieces, [CLS] and [SEP] from no word.
        let c = text.find("céréales").unwrap();
        let spans = [
            None,
            Some((2, 9)),
            Some((10, 12)),
            Some((c, c + 5)),
            Some((c + 5, c + 10)),
            None,
        ];
        assert_eq!(
            word_of_each_token(&words, &spans),
            [None, Some(0), Some(1), Some(2), Some(2), None]
        );
        // A token that counts the space before its word still finds the word.
        assert_eq!(word_of_each_token(&words, &[Some((9, 12))]), [Some(1)]);
        // Cut after "de": "céréales" was not read; uncut, every word was.
        assert_eq!(first_unread_word(&words, &spans[..3], true), 2);
        assert_eq!(first_unread_word(&words, &spans[..3], false), 3);
    }
}
