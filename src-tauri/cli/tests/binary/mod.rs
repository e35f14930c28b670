//! The `bert-studio` binary as the CLI's tests run it.
#![allow(dead_code)]

use std::path::Path;

use crate::common::fixtures;

/// The `bert-studio` command line, offline (the tests never reach the Hub).
pub fn cli() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bert-studio"));
    command.env("HF_HUB_OFFLINE", "1");
    command
}

/// `bert-studio train` of the tiny fixture on `data` into `output`, then `more` flags.
pub fn tiny_training(data: &Path, output: &Path, more: &[&str]) -> Vec<String> {
    let model = fixtures().join("tiny-bert");
    let mut args: Vec<String> = ["train", "--input"].map(String::from).to_vec();
    args.push(data.display().to_string());
    args.push("--output".into());
    args.push(output.display().to_string());
    args.push("--model".into());
    args.push(model.display().to_string());
    args.extend(more.iter().map(|a| a.to_string()));
    args
}
