//! The first exchange of a run over several machines (the roll call): each node's first device
//! tells the others where its data service listens (to name the node if it dies later) and what
//! it is about to train — how many devices it has, the step it starts from and a digest of its
//! recipe and rows — so that nodes started differently stop at once and say why, instead of
//! training apart.
//!
//! Each node writes only its own slot of a vector that the all-reduce sums, so every value
//! arrives exactly (small integers are exact in f32).

use std::hash::{Hash, Hasher};
use std::net::SocketAddrV4;

use crate::error::{EngineError, Result};
use crate::said;
use crate::train::recipe::Recipe;

/// Floats a node's slot takes: 4 octets and a port, devices, first step, digest.
const SLOT: usize = 8;

/// What a node tells the others at the roll call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeCall {
    /// Its data service (none when it reached the coordinator over IPv6: not named then).
    pub address: Option<SocketAddrV4>,
    /// Its number of devices (every node must have as many: the shards follow from it).
    pub devices: usize,
    /// The optimizer step it starts from (0, or a checkpoint's).
    pub start_step: usize,
    /// `run_digest` of its recipe and rows.
    pub digest: u32,
}

impl NodeCall {
    fn write(&self, slot: &mut [f32]) {
        if let Some(address) = self.address {
            for (value, octet) in slot.iter_mut().zip(address.ip().octets()) {
                *value = f32::from(octet);
            }
            slot[4] = f32::from(address.port());
        }
        slot[5] = self.devices as f32;
        slot[6] = self.start_step as f32;
        slot[7] = self.digest as f32;
    }

    /// None for a node that wrote nothing (every node has at least one device).
    fn read(slot: &[f32]) -> Option<NodeCall> {
        (slot[5] > 0.0).then(|| NodeCall {
            address: (slot[4] > 0.0).then(|| {
                let octets = [slot[0], slot[1], slot[2], slot[3]].map(|v| v as u8);
                SocketAddrV4::new(octets.into(), slot[4] as u16)
            }),
            devices: slot[5] as usize,
            start_step: slot[6] as usize,
            digest: slot[7] as u32,
        })
    }
}

/// The vector a replica adds to the roll call: its node's call in the node's slot when it is
/// the node's first device, zeros everywhere else.
pub fn roll_call_values(call: Option<&NodeCall>, node_rank: usize, nodes: usize) -> Vec<f32> {
    let mut values = vec![0.0f32; SLOT * nodes];
    if let Some(call) = call {
        call.write(&mut values[SLOT * node_rank..SLOT * (node_rank + 1)]);
    }
    values
}

/// What a run is about to train, as its nodes compare it at the roll call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSign {
    /// The optimizer step it starts from (0, or a checkpoint's).
    pub start_step: usize,
    /// `run_digest` of its recipe and rows.
    pub digest: u32,
}

/// Every node's call, read back from the roll call's sum (by rank).
pub fn read_roll_call(sum: &[f32]) -> Vec<Option<NodeCall>> {
    sum.chunks_exact(SLOT).map(NodeCall::read).collect()
}

/// A digest of what every node must train alike (its recipe and its rows), in 24 bits so that
/// it is exact in an f32. The hasher has fixed keys: the same on every node.
pub fn run_digest(recipe: &Recipe, data_fingerprint: &str) -> u32 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(recipe)
        .unwrap_or_default()
        .hash(&mut hasher);
    data_fingerprint.hash(&mut hasher);
    (hasher.finish() & 0xFF_FFFF) as u32
}

/// The first node whose call differs from this node's, said in plain words.
pub fn check_agreement(own: &NodeCall, own_rank: usize, calls: &[Option<NodeCall>]) -> Result<()> {
    for (rank, call) in calls.iter().enumerate() {
        let Some(call) = call else { continue };
        if rank == own_rank {
            continue;
        }
        let difference = if call.devices != own.devices {
            said!(
                "cluster.other_devices",
                "Node {rank} trains on {theirs} device(s) and this node on {ours}: give every \
                 node the same number of devices in --devices.",
                rank = rank,
                theirs = call.devices,
                ours = own.devices
            )
        } else if call.start_step != own.start_step {
            said!(
                "cluster.other_start",
                "Node {rank} starts at step {theirs} and this node at step {ours}: resume every \
                 node from the same checkpoint folder, or start every node afresh.",
                rank = rank,
                theirs = call.start_step,
                ours = own.start_step
            )
        } else if call.digest != own.digest {
            said!(
                "cluster.other_recipe",
                "Node {rank} trains with other settings or other rows than this node: start \
                 every node with the same settings and the same CSV file(s).",
                rank = rank
            )
        } else {
            continue;
        };
        return Err(EngineError::Cluster {
            message: difference,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(port: u16, start_step: usize, digest: u32) -> NodeCall {
        NodeCall {
            address: Some(SocketAddrV4::new([10, 0, 0, 7].into(), port)),
            devices: 2,
            start_step,
            digest,
        }
    }

    #[test]
    fn each_node_reads_every_call_from_the_sum_of_the_slots() {
        let (first, second) = (call(29501, 40, 0xAB_CDEF), call(29502, 40, 0xAB_CDEF));
        let a = roll_call_values(Some(&first), 0, 2);
        let b = roll_call_values(Some(&second), 1, 2);
        let quiet = roll_call_values(None, 1, 2);
        let sum: Vec<f32> = (0..a.len()).map(|i| a[i] + b[i] + quiet[i]).collect();
        assert_eq!(read_roll_call(&sum), vec![Some(first), Some(second)]);
        assert!(check_agreement(&first, 0, &read_roll_call(&sum)).is_ok());
    }

    #[test]
    fn a_node_that_differs_is_named_with_the_difference() {
        let own = call(29501, 40, 7);
        let said = |other: NodeCall| {
            check_agreement(&own, 0, &[Some(own), Some(other)])
                .unwrap_err()
                .to_string()
        };
        let fewer = NodeCall {
            devices: 1,
            ..call(29502, 40, 7)
        };
        assert!(said(fewer).contains("Node 1 trains on 1 device(s) and this node on 2"));
        assert!(
            said(call(29502, 0, 7)).contains("Node 1 starts at step 0 and this node at step 40")
        );
        assert!(said(call(29502, 40, 8)).contains("Node 1 trains with other settings"));
    }
}
