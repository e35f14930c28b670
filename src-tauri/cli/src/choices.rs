//! The engine's choices (scheduler, strategies, best metric, precision, device, explanation method) as typed flag values. Their
//! names are the recipe's JSON names, so `--help` lists exactly what recipe.json accepts and a
//! wrong name is refused before anything runs.

use std::marker::PhantomData;

use bert_studio_engine::backend::DeviceChoice;
use bert_studio_engine::explain::ExplainMethod;
use bert_studio_engine::train::{BestMetric, Precision, Scheduler, Strategy};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

pub trait Choice: Copy + serde::Serialize + Send + Sync + 'static {
    const ALL: &'static [Self];
}

impl Choice for Scheduler {
    const ALL: &'static [Self] = &[
        Scheduler::Linear,
        Scheduler::Constant,
        Scheduler::ConstantWithWarmup,
        Scheduler::Cosine,
    ];
}

impl Choice for Strategy {
    const ALL: &'static [Self] = &[Strategy::No, Strategy::Epoch, Strategy::Steps];
}

impl Choice for BestMetric {
    const ALL: &'static [Self] = &[
        BestMetric::Loss,
        BestMetric::Accuracy,
        BestMetric::MacroF1,
        BestMetric::MacroPrecision,
        BestMetric::MacroRecall,
    ];
}

impl Choice for Precision {
    const ALL: &'static [Self] = &[Precision::Fast, Precision::Exact];
}

impl Choice for ExplainMethod {
    const ALL: &'static [Self] = &[ExplainMethod::IntegratedGradients, ExplainMethod::Occlusion];
}

impl Choice for DeviceChoice {
    const ALL: &'static [Self] = &[
        DeviceChoice::Auto,
        DeviceChoice::Cpu,
        DeviceChoice::Wgpu,
        DeviceChoice::Cuda,
    ];
}

/// The name recipe.json uses for `value`.
pub fn json_name(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => unreachable!("a choice serialises as a string, not {other:?}"),
    }
}

/// Parses one of `T::ALL` by its JSON name.
#[derive(Clone)]
pub struct ChoiceParser<T>(PhantomData<T>);

impl<T: Choice> ChoiceParser<T> {
    pub fn new() -> Self {
        ChoiceParser(PhantomData)
    }

    fn names() -> impl Iterator<Item = PossibleValue> {
        T::ALL.iter().map(|v| PossibleValue::new(json_name(v)))
    }
}

impl<T: Choice> TypedValueParser for ChoiceParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        // clap's own parser words the refusal and lists the accepted names.
        let name = PossibleValuesParser::new(Self::names()).parse_ref(cmd, arg, value)?;
        Ok(*T::ALL
            .iter()
            .find(|v| json_name(*v) == name)
            .expect("a listed name"))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(Self::names()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[arg(long, value_parser = ChoiceParser::<Scheduler>::new())]
        scheduler: Scheduler,
    }

    #[test]
    fn a_choice_is_read_by_its_recipe_name_and_a_wrong_one_lists_the_names() {
        let flags = Flags::try_parse_from(["x", "--scheduler", "constant_with_warmup"]).unwrap();
        assert_eq!(flags.scheduler, Scheduler::ConstantWithWarmup);
        let refused = Flags::try_parse_from(["x", "--scheduler", "linearr"])
            .err()
            .expect("an unknown scheduler is refused")
            .to_string();
        assert!(
            refused.contains("linear, constant, constant_with_warmup, cosine"),
            "{refused}"
        );
    }
}
