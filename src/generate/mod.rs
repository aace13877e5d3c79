//! Generation: argument values for calls (and, as the campaign grows, swarm configurations over
//! wasm-smith and scenario generators).

pub mod args;
pub mod rng;
