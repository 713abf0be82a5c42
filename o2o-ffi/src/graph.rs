//! The identity graph from C: a POS or CRM keeps one graph, observes events (each an NDJSON
//! line, consent included: events whose owner did not allow linking record nothing), resolves
//! profiles, explains links, erases a person, and persists the graph as bytes.

use crate::args::{bytes_arg, handle_mut, handle_ref, out_arg, str_arg};
use crate::boundary::{boundary, boundary_or};
use crate::buffers::{o2o_bytes, o2o_string};
use crate::handle::{free_handle, into_handle};
use crate::status::{Failure, FfiResult, o2o_status};
use o2o_core::event::{Event, IdKind, Identifier};
use o2o_core::identity::{
    Forget, IdentityError, IdentityGraph, Profiles, ResolutionRules, Scratch,
};
use serde::Serialize;
use std::ffi::c_char;
use std::sync::Mutex;

/// An identity graph. Opaque.
///
/// Ownership: Box-owned; made by `o2o_graph_new` or `o2o_graph_restore`, freed by
/// `o2o_graph_free`. Not safe to use from two threads at once while one of them changes it
/// (observe, forget).
pub struct o2o_graph {
    graph: IdentityGraph,
    /// The working memory the handle keeps between resolutions (`o2o_graph_release_memory`):
    /// a POS or CRM resolves the same graph after each batch. A resolution on another thread
    /// while this one is in use makes its own.
    scratch: Mutex<Scratch>,
}

impl o2o_graph {
    fn new(graph: IdentityGraph) -> Self {
        o2o_graph {
            graph,
            scratch: Mutex::new(Scratch::new()),
        }
    }

    /// The graph's profiles, resolved (when the graph changed) on the handle's scratch.
    fn profiles(&self) -> Profiles<'_> {
        match self.scratch.try_lock() {
            Ok(mut scratch) => self.graph.profiles_with(&mut scratch),
            Err(_) => self.graph.profiles(),
        }
    }

    /// Give the scratch's memory back.
    fn release(&self) {
        match self.scratch.lock() {
            Ok(mut scratch) => scratch.release(),
            Err(poisoned) => poisoned.into_inner().release(),
        }
    }
}

fn failure(e: IdentityError) -> Failure {
    match e {
        IdentityError::BadIdentifier(_) => Failure::new(o2o_status::InvalidArgument, e),
        IdentityError::Capacity(_) | IdentityError::WrongPermit(_) => {
            Failure::new(o2o_status::Internal, e)
        }
        _ => Failure::input(e),
    }
}

fn json<T: Serialize>(value: &T) -> FfiResult<o2o_string> {
    serde_json::to_string(value)
        .map(o2o_string::from_string)
        .map_err(|e| Failure::new(o2o_status::Internal, e))
}

/// An identifier from `(kind, value)` C arguments.
///
/// # Safety
/// The export's contract: both pairs readable.
unsafe fn identifier_arg(
    kind: *const c_char,
    kind_len: usize,
    value: *const c_char,
    value_len: usize,
    name: &str,
) -> FfiResult<Identifier> {
    // SAFETY: forwarded contract.
    let k = unsafe { str_arg(kind, kind_len, &format!("{name}_kind")) }?;
    // SAFETY: forwarded contract.
    let v = unsafe { str_arg(value, value_len, &format!("{name}_value")) }?;
    let kind: IdKind = k
        .parse()
        .map_err(|e| Failure::arg(&format!("{name}_kind"), e))?;
    Ok(Identifier::new(kind, v))
}

/// Create an empty identity graph under resolution rules.
///
/// \param rules the rules as JSON (`"{}"` for the defaults, see docs/identity.md: kind
///        priority, limits, blocked values, hub guard, time windows, default country),
///        `rules_len` bytes.
/// \param rules_len its length in bytes.
/// \param[out] out receives the new graph; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when the rules are malformed or inconsistent.
/// \warning the caller owns `*out` and frees it with `o2o_graph_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_new(
    rules: *const c_char,
    rules_len: usize,
    out: *mut *mut o2o_graph,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let rules = unsafe { str_arg(rules, rules_len, "rules") }?;
        let rules: ResolutionRules =
            serde_json::from_str(rules).map_err(|e| Failure::input(format!("rules JSON: {e}")))?;
        let graph = IdentityGraph::new(rules).map_err(failure)?;
        *out = into_handle(o2o_graph::new(graph));
        Ok(())
    })
}

/// Observe one event: its identifiers were seen together (the consent gate decides first).
///
/// \param graph the graph.
/// \param event one o2o event as JSON (an NDJSON line, e.g. from `o2o_checkin_to_ndjson`),
///        `event_len` bytes.
/// \param event_len its length in bytes.
/// \param[out] outcome receives what was recorded, as JSON (`recorded`, `blocked`, `invalid`,
///        `attributes`, `consent_denied`, …); `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK` (also when consent denied linking: read `consent_denied`);
///         `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`; `O2O_STATUS_INVALID_INPUT`
///         when the event does not parse.
/// \warning the caller owns `*outcome` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_observe(
    graph: *mut o2o_graph,
    event: *const c_char,
    event_len: usize,
    outcome: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `outcome` is NULL or writable.
        let outcome = unsafe { out_arg(outcome, "outcome", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let g = unsafe { handle_mut(graph, "graph") }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let event = unsafe { str_arg(event, event_len, "event") }?;
        let event: Event = serde_json::from_str(event.trim_end())
            .map_err(|e| Failure::input(format!("event JSON: {e}")))?;
        let result = g.graph.observe_event(&event).map_err(failure)?;
        *outcome = json(&result)?;
        Ok(())
    })
}

/// Resolve every observation into profiles.
///
/// \param graph the graph.
/// \param[out] profiles receives one JSON line per profile (`{"id": "p…", "identifiers":
///        [{"kind", "value"}, …], "first_seen", "last_seen", "sources", …}`), in a stable order;
///        `""` when the graph is empty; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`.
/// \warning the caller owns `*profiles` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_resolve(
    graph: *const o2o_graph,
    profiles: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `profiles` is NULL or writable.
        let profiles = unsafe { out_arg(profiles, "profiles", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let g = unsafe { handle_ref(graph, "graph") }?;
        let mut text = String::new();
        for p in &g.profiles() {
            let line =
                serde_json::to_string(&p).map_err(|e| Failure::new(o2o_status::Internal, e))?;
            text.push_str(&line);
            text.push('\n');
        }
        *profiles = o2o_string::from_string(text);
        Ok(())
    })
}

/// The profile holding an identifier (given raw; normalised as `observe` does).
///
/// \param graph the graph.
/// \param kind the identifier kind, `kind_len` bytes.
/// \param kind_len its length in bytes.
/// \param value the value, `value_len` bytes.
/// \param value_len its length in bytes.
/// \param[out] profile receives the profile as JSON; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NOT_FOUND` when the identifier is in no profile;
///         `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown kind.
/// \warning the caller owns `*profile` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_profile_of(
    graph: *const o2o_graph,
    kind: *const c_char,
    kind_len: usize,
    value: *const c_char,
    value_len: usize,
    profile: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `profile` is NULL or writable.
        let profile = unsafe { out_arg(profile, "profile", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let g = unsafe { handle_ref(graph, "graph") }?;
        // SAFETY: the caller's contract: readable pairs.
        let id = unsafe { identifier_arg(kind, kind_len, value, value_len, "id") }?;
        let p = g.profiles().of(&id).ok_or_else(|| {
            Failure::new(
                o2o_status::NotFound,
                format!("{}:{} is in no profile", id.kind, id.value),
            )
        })?;
        *profile = json(&p)?;
        Ok(())
    })
}

/// Explain whether and why two identifiers are one person: the shortest chain of evidence, or
/// the reasons they are not linked (blocked, hub, limit, window, consent, unknown).
///
/// \param graph the graph.
/// \param a_kind kind of the first identifier, `a_kind_len` bytes.
/// \param a_kind_len its length in bytes.
/// \param a_value value of the first identifier, `a_value_len` bytes.
/// \param a_value_len its length in bytes.
/// \param b_kind kind of the second identifier, `b_kind_len` bytes.
/// \param b_kind_len its length in bytes.
/// \param b_value value of the second identifier, `b_value_len` bytes.
/// \param b_value_len its length in bytes.
/// \param[out] explanation receives `{"linked": bool, "profile"?, "chain": […], "reasons": […]}`;
///        `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK` whether or not they are linked; `O2O_STATUS_NULL_ARGUMENT`;
///         `O2O_STATUS_INVALID_UTF8`; `O2O_STATUS_INVALID_ARGUMENT` for an unknown kind.
/// \warning the caller owns `*explanation` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_explain(
    graph: *const o2o_graph,
    a_kind: *const c_char,
    a_kind_len: usize,
    a_value: *const c_char,
    a_value_len: usize,
    b_kind: *const c_char,
    b_kind_len: usize,
    b_value: *const c_char,
    b_value_len: usize,
    explanation: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `explanation` is NULL or writable.
        let explanation = unsafe { out_arg(explanation, "explanation", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let g = unsafe { handle_ref(graph, "graph") }?;
        // SAFETY: the caller's contract: readable pairs.
        let a = unsafe { identifier_arg(a_kind, a_kind_len, a_value, a_value_len, "a") }?;
        // SAFETY: as above.
        let b = unsafe { identifier_arg(b_kind, b_kind_len, b_value, b_value_len, "b") }?;
        // Resolve (when the graph changed) on the handle's scratch; `explain` reads the cache.
        let _ = g.profiles();
        *explanation = json(&g.graph.explain(&a, &b))?;
        Ok(())
    })
}

/// Erase a person (GDPR / CCPA): the profile holding the identifier, every node and edge of it,
/// is removed and the rest recomputed.
///
/// \param graph the graph.
/// \param kind the identifier kind, `kind_len` bytes.
/// \param kind_len its length in bytes.
/// \param value the identifier value, `value_len` bytes.
/// \param value_len its length in bytes.
/// \param[out] receipt receives what was removed, as JSON (empty lists when nothing matched);
///        `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown kind.
/// \warning the caller owns `*receipt` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_forget(
    graph: *mut o2o_graph,
    kind: *const c_char,
    kind_len: usize,
    value: *const c_char,
    value_len: usize,
    receipt: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `receipt` is NULL or writable.
        let receipt = unsafe { out_arg(receipt, "receipt", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let g = unsafe { handle_mut(graph, "graph") }?;
        // SAFETY: the caller's contract: readable pairs.
        let id = unsafe { identifier_arg(kind, kind_len, value, value_len, "id") }?;
        let r = g.graph.forget(&Forget::Identifier(id)).map_err(failure)?;
        // The scratch holds the last resolution's identifier hashes, the erased ones' too.
        g.release();
        *receipt = json(&r)?;
        Ok(())
    })
}

/// Serialise the graph to bytes (for a POS or CRM to persist); `o2o_graph_restore` reads them.
///
/// \param graph the graph.
/// \param[out] bytes receives the snapshot; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`.
/// \warning the caller owns `*bytes` and frees it with `o2o_bytes_free`. The snapshot holds
///          normalised personal identifiers: store it as personal data.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_snapshot(
    graph: *const o2o_graph,
    bytes: *mut o2o_bytes,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `bytes` is NULL or writable.
        let bytes = unsafe { out_arg(bytes, "bytes", o2o_bytes::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let g = unsafe { handle_ref(graph, "graph") }?;
        *bytes = o2o_bytes::from_vec(g.graph.snapshot());
        Ok(())
    })
}

/// Rebuild a graph from a snapshot.
///
/// \param bytes the snapshot from `o2o_graph_snapshot`, `len` bytes.
/// \param len its length in bytes.
/// \param[out] out receives the restored graph; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_INPUT` when the bytes
///         are not a snapshot.
/// \warning the caller owns `*out` and frees it with `o2o_graph_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_restore(
    bytes: *const u8,
    len: usize,
    out: *mut *mut o2o_graph,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let bytes = unsafe { bytes_arg(bytes, len, "bytes") }?;
        let graph = IdentityGraph::restore(bytes).map_err(failure)?;
        *out = into_handle(o2o_graph::new(graph));
        Ok(())
    })
}

/// Free the working memory the handle keeps for the graph's next resolution. A resolution keeps
/// its largest working tables (about 50 bytes per identifier) so that the next one, after more
/// observations, writes memory already resident; a graph resolved once or rarely can give it
/// back. Profiles and observations are untouched, and the next resolution allocates anew.
/// (`o2o_graph_forget` releases it too: it holds the last resolution's identifier hashes.)
///
/// \param graph the graph.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_release_memory(graph: *const o2o_graph) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: a live handle.
        let g = unsafe { handle_ref(graph, "graph") }?;
        g.release();
        Ok(())
    })
}

/// Free a graph.
///
/// \param graph the handle; NULL is a no-op.
/// \pre `graph` came from `o2o_graph_new` or `o2o_graph_restore` and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_free(graph: *mut o2o_graph) {
    // SAFETY: the caller's contract (\pre).
    boundary_or((), || unsafe { free_handle(graph) })
}

/// The id of the profile holding an identifier (given raw; normalised as `observe` does): the
/// one field a till keeps from `o2o_graph_profile_of`, without reading JSON.
///
/// \param graph the graph.
/// \param kind the identifier kind, `kind_len` bytes.
/// \param kind_len its length in bytes.
/// \param value the value, `value_len` bytes.
/// \param value_len its length in bytes.
/// \param[out] id receives the profile id (`p` + 16 hex digits, the `id` of the profile's
///        JSON); `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NOT_FOUND` when the identifier is in no profile;
///         `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown kind.
/// \warning the caller owns `*id` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_graph_profile_id(
    graph: *const o2o_graph,
    kind: *const c_char,
    kind_len: usize,
    value: *const c_char,
    value_len: usize,
    id: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `id` is NULL or writable.
        let out = unsafe { out_arg(id, "id", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let g = unsafe { handle_ref(graph, "graph") }?;
        // SAFETY: the caller's contract: readable pairs.
        let ident = unsafe { identifier_arg(kind, kind_len, value, value_len, "id") }?;
        let p = g.graph.profile_of(&ident).ok_or_else(|| {
            Failure::new(
                o2o_status::NotFound,
                format!("{}:{} is in no profile", ident.kind, ident.value),
            )
        })?;
        *out = o2o_string::from_string(p.id.to_string());
        Ok(())
    })
}
