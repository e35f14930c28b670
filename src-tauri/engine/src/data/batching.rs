//! The order in which training rows are batched.

use std::cmp::Reverse;

use rand::Rng;
use rand::seq::SliceRandom;

/// A random permutation of the rows for one epoch.
pub fn shuffled_order(rows: usize, rng: &mut impl Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(rng);
    order
}

/// The Trainer's `group_by_length` order (transformers' `get_length_grouped_indices`): a random
/// permutation cut into mega-batches of `mult × batch` rows (`mult` = 50, or fewer so that there
/// are at least 4 mega-batches), each sorted by decreasing length (stable), and the longest row
/// swapped to the front so that the largest batch comes first (memory problems show at once).
/// `batch` is the rows of one optimizer step (batch size × accumulation steps), as the Trainer's.
pub fn length_grouped_order(lengths: &[usize], batch: usize, rng: &mut impl Rng) -> Vec<usize> {
    let mult = (lengths.len() / (batch.max(1) * 4)).clamp(1, 50);
    let mut mega_batches: Vec<Vec<usize>> = shuffled_order(lengths.len(), rng)
        .chunks(mult * batch.max(1))
        .map(|chunk| {
            let mut chunk = chunk.to_vec();
            chunk.sort_by_key(|&row| Reverse(lengths[row]));
            chunk
        })
        .collect();
    // The first mega-batch holding the longest row (argmax takes the first of equals).
    let longest = (0..mega_batches.len()).fold(0, |best, i| {
        if lengths[mega_batches[i][0]] > lengths[mega_batches[best][0]] {
            i
        } else {
            best
        }
    });
    if longest != 0 {
        let (first, rest) = mega_batches.split_at_mut(1);
        std::mem::swap(&mut first[0][0], &mut rest[longest - 1][0]);
    }
    mega_batches.concat()
}

/// Cuts `order` (rows sorted by length, shortest first) into consecutive batches whose padded
/// size — rows × longest row — stays within `token_budget` (each batch has at least one row):
/// short texts go many to a batch, long ones few, and every batch costs about the same.
pub fn token_budget_batches<'a>(
    order: &'a [usize],
    length: impl Fn(usize) -> usize,
    token_budget: usize,
) -> Vec<&'a [usize]> {
    let mut batches = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && (end + 1 - start) * length(order[end]) <= token_budget {
            end += 1;
        }
        batches.push(&order[start..end]);
        start = end;
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn length_grouped_order_sorts_each_mega_batch_and_puts_the_longest_first() {
        let lengths: Vec<usize> = (0..1000).map(|i| (i * 7919) % 127 + 1).collect();
        let batch = 8; // 1000 / 32 → mult 31, mega-batches of 248 rows
        let order = length_grouped_order(&lengths, batch, &mut ChaCha8Rng::seed_from_u64(1));
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>(), "a permutation");
        assert_eq!(lengths[order[0]], 127, "the longest row first");
        for (k, mega) in order.chunks(31 * batch).enumerate() {
            // The swap of the longest row can break the order at a mega-batch's first row only.
            assert!(
                mega[1..].windows(2).all(|w| lengths[w[0]] >= lengths[w[1]]),
                "mega-batch {k} sorted"
            );
        }
        // Random: another seed, another order; mega-batches are not the sorted rows.
        let other = length_grouped_order(&lengths, batch, &mut ChaCha8Rng::seed_from_u64(2));
        assert_ne!(order, other);
        // Padding: batches of neighbours in length waste far less than random batches.
        let waste = |order: &[usize]| -> usize {
            order
                .chunks(batch)
                .map(|b| {
                    let longest = b.iter().map(|&r| lengths[r]).max().unwrap();
                    b.iter().map(|&r| longest - lengths[r]).sum::<usize>()
                })
                .sum()
        };
        let random = shuffled_order(1000, &mut ChaCha8Rng::seed_from_u64(1));
        assert!(
            waste(&order) * 10 < waste(&random),
            "{} vs {}",
            waste(&order),
            waste(&random)
        );
    }

    #[test]
    fn tiny_data_sets_still_put_the_longest_row_first() {
        let lengths = [3, 9, 1, 9, 4];
        let order = length_grouped_order(&lengths, 2, &mut ChaCha8Rng::seed_from_u64(3));
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2, 3, 4]);
        assert_eq!(lengths[order[0]], 9);
    }

    #[test]
    fn token_budget_batches_keep_rows_times_longest_within_the_budget() {
        let lengths = [2, 3, 3, 5, 8, 8, 9, 40, 100];
        let order: Vec<usize> = (0..lengths.len()).collect();
        let batches = token_budget_batches(&order, |r| lengths[r], 24);
        let sizes: Vec<Vec<usize>> = batches.iter().map(|b| b.to_vec()).collect();
        assert_eq!(
            sizes,
            vec![vec![0, 1, 2, 3], vec![4, 5], vec![6], vec![7], vec![8]]
        );
        assert!(token_budget_batches(&[], |_| 1, 10).is_empty());
    }
}
