//! Where one training process stands in a data-parallel run: which machine ("node") of how
//! many, which devices of that machine it trains on, and so which rows of every batch are its
//! own. Pure arithmetic; the all-reduce itself is in `gradient_sync`.
//!
//! The recipe's batch is the whole group's: each micro-batch is cut into one contiguous shard
//! per replica (node-major, then device), so the learning-rate schedule, the effective batch
//! and every loss are the ones a single device would have.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::error::{EngineError, Result};
use crate::said;

/// How long a replica waits for the others at a step before the run ends with the name of
/// the node that stopped answering (`--node-timeout`).
pub const DEFAULT_NODE_TIMEOUT: Duration = Duration::from_secs(300);

/// The machines and devices a run trains on. `Cluster::default()` is one device of one machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// How many machines train together.
    pub nodes: usize,
    /// This machine's place among them (0 starts the orchestrator and alone writes files).
    pub node_rank: usize,
    /// Where node 0's orchestrator listens, `host:port` (several machines only).
    pub coordinator: Option<String>,
    /// This machine's devices (indices of the recipe's device kind); empty: the default one.
    pub device_indices: Vec<u16>,
    /// The longest wait for the other replicas at one step.
    pub timeout: Duration,
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster {
            nodes: 1,
            node_rank: 0,
            coordinator: None,
            device_indices: Vec::new(),
            timeout: DEFAULT_NODE_TIMEOUT,
        }
    }
}

/// One model copy of the run: a device of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replica {
    /// Node-major index among all replicas.
    pub index: usize,
    /// How many replicas there are in all.
    pub count: usize,
    /// Which of this machine's devices (0-based position in `device_indices`).
    pub local: usize,
}

impl Replica {
    /// The replica that sends progress and writes checkpoints and the model folder.
    pub fn leads(&self) -> bool {
        self.index == 0
    }

    /// This replica's contiguous part of a micro-batch (empty when the batch has fewer rows
    /// than there are replicas).
    pub fn shard<'r>(&self, rows: &'r [usize]) -> &'r [usize] {
        let (n, count) = (rows.len(), self.count);
        &rows[self.index * n / count..(self.index + 1) * n / count]
    }
}

impl Cluster {
    /// Devices of this machine (at least the default one).
    pub fn devices_here(&self) -> usize {
        self.device_indices.len().max(1)
    }

    /// This machine's devices as `--devices` names them ("cpu", "cuda:0"…): what a report
    /// shows. The CPU's copies are counted, not numbered.
    pub fn device_names(&self, kind: &str) -> Vec<String> {
        match self.device_indices.as_slice() {
            [] => vec![kind.to_string()],
            indices if kind == "cpu" => vec![kind.to_string(); indices.len()],
            indices => indices.iter().map(|i| format!("{kind}:{i}")).collect(),
        }
    }

    /// Whether the run is split at all.
    pub fn is_split(&self) -> bool {
        self.nodes > 1 || self.devices_here() > 1
    }

    /// The replica of this machine's `local`-th device.
    pub fn replica(&self, local: usize) -> Replica {
        Replica {
            index: self.node_rank * self.devices_here() + local,
            count: self.nodes * self.devices_here(),
            local,
        }
    }

    /// The coordinator's address, checked: several nodes need one, a rank within the count.
    pub fn coordinator_address(&self) -> Result<Option<SocketAddr>> {
        if self.nodes == 0 || self.node_rank >= self.nodes {
            return Err(EngineError::invalid(said!(
                "cluster.bad_rank",
                "--node-rank is {rank} but there are {nodes} node(s): ranks go from 0 to one \
                 less than --nodes.",
                rank = self.node_rank,
                nodes = self.nodes
            )));
        }
        if self.nodes == 1 {
            return Ok(None);
        }
        let Some(text) = &self.coordinator else {
            return Err(EngineError::invalid(said!(
                "cluster.no_coordinator",
                "Training on {nodes} nodes needs --coordinator HOST:PORT: the address where \
                 node 0 listens, the same on every node.",
                nodes = self.nodes
            )));
        };
        let unreadable = || {
            EngineError::invalid(said!(
                "cluster.bad_coordinator",
                "The coordinator \"{address}\" is not a HOST:PORT this machine can resolve \
                 (for example 10.0.0.5:29500 or node-0.cluster:29500).",
                address = text.clone()
            ))
        };
        let address = text
            .to_socket_addrs()
            .map_err(|_| unreadable())?
            .next()
            .ok_or_else(unreadable)?;
        // Each node's data service listens on the ports after the coordinator's.
        if usize::from(address.port()) + self.nodes >= usize::from(u16::MAX) {
            return Err(EngineError::invalid(said!(
                "cluster.port_too_high",
                "The coordinator's port {port} leaves no room for the {nodes} ports after it \
                 (one for each node's data service): choose a lower one, e.g. 29500.",
                port = address.port(),
                nodes = self.nodes
            )));
        }
        Ok(Some(address))
    }
}

/// The port of node `rank`'s tensor data service: the ones after the coordinator's, so that
/// every node knows every other's without asking.
pub fn data_port(coordinator: SocketAddr, rank: usize) -> u16 {
    coordinator.port() + 1 + rank as u16
}

/// Each row's share of a micro-batch's loss is its weight over the whole batch's weights (its
/// class's weight, or 1): the shard's loss scaled by this sums, over the shards, to the loss
/// of the whole batch (a weighted mean stays one).
pub fn shard_share(rows: &[usize], shard: &[usize], weight: impl Fn(usize) -> f64) -> f64 {
    let total: f64 = rows.iter().map(|r| weight(*r)).sum();
    if total == 0.0 {
        return 0.0;
    }
    shard.iter().map(|r| weight(*r)).sum::<f64>() / total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_a_batch_is_in_exactly_one_shard() {
        let cluster = Cluster {
            nodes: 2,
            device_indices: vec![0, 1],
            ..Cluster::default()
        };
        for n in 0..11 {
            let rows: Vec<usize> = (100..100 + n).collect();
            let mut seen = Vec::new();
            for rank in 0..2 {
                let node = Cluster {
                    node_rank: rank,
                    ..cluster.clone()
                };
                for local in 0..2 {
                    seen.extend_from_slice(node.replica(local).shard(&rows));
                }
            }
            assert_eq!(seen, rows, "a batch of {n} rows over 4 replicas");
        }
    }

    #[test]
    fn the_shares_of_a_weighted_batch_add_up_to_one() {
        let rows = [0, 1, 2, 3, 4];
        let weight = |r: usize| if r % 2 == 0 { 3.0 } else { 0.5 };
        let first = shard_share(&rows, &rows[..2], weight);
        let second = shard_share(&rows, &rows[2..], weight);
        assert!((first - 3.5 / 10.0).abs() < 1e-12);
        assert!((first + second - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_rank_outside_the_group_or_no_coordinator_is_said() {
        let outside = Cluster {
            nodes: 2,
            node_rank: 2,
            coordinator: Some("127.0.0.1:29500".into()),
            ..Cluster::default()
        };
        let error = outside.coordinator_address().unwrap_err().to_string();
        assert!(error.contains("--node-rank is 2"), "{error}");
        let alone = Cluster {
            nodes: 2,
            ..Cluster::default()
        };
        let error = alone.coordinator_address().unwrap_err().to_string();
        assert!(error.contains("--coordinator"), "{error}");
        let named = Cluster {
            nodes: 2,
            coordinator: Some("127.0.0.1:29500".into()),
            ..Cluster::default()
        };
        let address = named.coordinator_address().unwrap().unwrap();
        assert_eq!(data_port(address, 1), 29502);
    }
}
