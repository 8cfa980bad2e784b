//! The per-worker cache of broadcast contexts (`#[kernel(context)]`, rayon's `map_with`).
//!
//! A call's context bytes reach a worker once, with the first chunk it gets for that call;
//! the decoded value is kept here under the call's id and shared by the later chunks.
//! The cache holds the few most recent contexts (a worker serves few calls at once); an
//! evicted one is answered with `ContextMissing`, and the pool re-sends the bytes.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use serde::de::DeserializeOwned;

use crate::error::{ErrorKind, Failure};
use crate::lenient::LenientDe;
use crate::registry::KernelInfo;
use crate::wire::{cbor_error, Context};

/// Contexts kept per worker (most recently used last).
pub(crate) const CAPACITY: usize = 4;

thread_local! {
    static CACHE: RefCell<Vec<(String, Rc<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

/// The decoded context of this chunk's call: decoded now if the frame carries the bytes,
/// else taken from the cache.
pub fn get<C: DeserializeOwned + 'static>(
    k: &KernelInfo,
    context: Option<&Context>,
) -> Result<Rc<C>, Failure> {
    let Some(ctx) = context else {
        return Err(Failure::new(
            ErrorKind::ContextMissing,
            k.name,
            format!(
                "kernel \"{}\" needs a context (CallOptions.context)",
                k.name
            ),
        ));
    };
    if let Some(bytes) = &ctx.bytes {
        let LenientDe(value): LenientDe<C> =
            ciborium::de::from_reader(&bytes[..]).map_err(|e| {
                let mut f = Failure::new(
                    ErrorKind::Decode,
                    k.name,
                    format!(
                        "the context does not decode as {}: {}",
                        std::any::type_name::<C>(),
                        cbor_error(e)
                    ),
                );
                f.expected = Some(
                    std::any::type_name::<C>()
                        .rsplit("::")
                        .next()
                        .unwrap_or("context")
                        .to_owned(),
                );
                f
            })?;
        let value = Rc::new(value);
        CACHE.with_borrow_mut(|c| {
            c.retain(|(id, _)| id != &ctx.id);
            if c.len() == CAPACITY {
                c.remove(0);
            }
            c.push((ctx.id.clone(), value.clone() as Rc<dyn Any>));
        });
        return Ok(value);
    }
    CACHE.with_borrow_mut(|c| {
        let at = c.iter().position(|(id, _)| id == &ctx.id);
        let hit = at.map(|i| c.remove(i));
        match hit {
            Some((id, v)) => {
                let typed = v.clone().downcast::<C>().map_err(|_| {
                    Failure::new(
                        ErrorKind::Frame,
                        k.name,
                        format!("context {id} belongs to another kernel"),
                    )
                });
                c.push((id, v)); // most recently used
                typed
            }
            None => Err(Failure::new(
                ErrorKind::ContextMissing,
                k.name,
                format!("context {} is not cached here", ctx.id),
            )),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::to_vec;

    static INFO: KernelInfo = KernelInfo {
        name: "dot",
        input_ts: "Float64Array",
        output_ts: "number",
        input_rust: "Vec<f64>",
        context_ts: Some("number[]"),
        ints: crate::js_int::JsInts::Number,
    };

    fn first(id: &str) -> Context {
        Context {
            id: id.into(),
            bytes: Some(to_vec(&[1.0f64])),
        }
    }

    fn later(id: &str) -> Context {
        Context {
            id: id.into(),
            bytes: None,
        }
    }

    fn cached() -> usize {
        CACHE.with_borrow(|c| c.len())
    }

    #[test]
    fn the_cache_is_bounded_and_evicts_the_least_recently_used() {
        for i in 0..10 {
            get::<Vec<f64>>(&INFO, Some(&first(&format!("call-{i}")))).unwrap();
        }
        assert_eq!(cached(), CAPACITY);
        let err = get::<Vec<f64>>(&INFO, Some(&later("call-0"))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ContextMissing);
        // call-6 is the oldest of the four kept; using it makes call-7 the oldest.
        assert_eq!(
            *get::<Vec<f64>>(&INFO, Some(&later("call-6"))).unwrap(),
            [1.0]
        );
        get::<Vec<f64>>(&INFO, Some(&first("call-10"))).unwrap();
        assert!(get::<Vec<f64>>(&INFO, Some(&later("call-6"))).is_ok());
        let err = get::<Vec<f64>>(&INFO, Some(&later("call-7"))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ContextMissing);
        assert_eq!(cached(), CAPACITY);
    }

    #[test]
    fn a_cached_context_of_another_type_is_a_frame_error() {
        get::<Vec<f64>>(&INFO, Some(&first("typed"))).unwrap();
        let err = get::<String>(&INFO, Some(&later("typed"))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Frame);
    }
}
