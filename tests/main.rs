//! Integration tests of the core: every command through the one command surface, on real
//! SQLite files in temporary folders.

mod account;
mod article;
mod audit;
mod authz;
mod backup;
mod bad_input;
mod bindings;
mod campaigns;
mod cli;
mod common;
mod crash;
mod dashboard;
mod demo;
mod encryption;
mod error_texts;
mod festivals;
mod followup;
mod fuzz_commands;
mod fuzz_parsers;
mod insider_acting;
mod insider_audit;
mod insider_guessing;
mod insider_masks;
mod insider_restore;
mod insider_revocation;
mod insider_small;
mod ledger;
mod lifecycle;
mod migrations;
mod module_graph;
mod plans;
mod reminders;
mod schema_enums;
mod search;
mod session;
