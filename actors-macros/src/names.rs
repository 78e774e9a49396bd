//! The names the macros derive from the user's: variants from methods, methods from
//! variants, the client trait from the message enum. One rule each, documented on the macros.

use proc_macro2::Span;
use syn::Ident;

/// `get_count` → `GetCount` (a raw identifier loses its `r#`).
pub(crate) fn upper_camel(ident: &Ident) -> String {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    let mut out = String::with_capacity(name.len());
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// `GetCount` → `get_count`, `HTTPGet` → `http_get`.
pub(crate) fn snake(ident: &Ident) -> String {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                None => false,
                Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(_) => next.is_some_and(|n| n.is_lowercase()),
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The client trait of a message enum: `CounterMsg` → `CounterClient`, `Command` →
/// `CommandClient`.
pub(crate) fn client_of(msg: &Ident) -> Ident {
    let name = msg.to_string();
    let name = name.trim_start_matches("r#").to_owned();
    let base = name
        .strip_suffix("Msg")
        .filter(|b| !b.is_empty())
        .unwrap_or(&name);
    Ident::new(&format!("{base}Client"), msg.span())
}

/// An identifier made by the macro, spanned at the user's token it comes from; raw (`r#move`)
/// when the name is a keyword. `None` for the keywords that cannot be raw (`self`, `crate`...).
pub(crate) fn ident(name: &str, span: Span) -> Option<Ident> {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do",
        "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in",
        "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
        "return", "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe",
        "unsized", "use", "virtual", "where", "while", "yield",
    ];
    match name {
        "self" | "Self" | "super" | "crate" | "_" | "" => None,
        _ if KEYWORDS.contains(&name) => Some(Ident::new_raw(name, span)),
        _ => Some(Ident::new(name, span)),
    }
}

/// `ActorRef`'s own methods (and `clone`): a client method of the same name would be shadowed
/// by them, so a handler or variant may not take one of these names.
pub(crate) const RESERVED: &[&str] = &[
    "tell",
    "try_tell",
    "tell_timeout",
    "ask",
    "ask_timeout",
    "stop",
    "kill",
    "drain",
    "wait",
    "is_alive",
    "exit_reason",
    "path",
    "id",
    "generation",
    "capacity",
    "mailbox_len",
    "downgrade",
    "recipient",
    "clone",
];

/// The error for a client method name taken by `ActorRef`, or `None`.
pub(crate) fn reserved(method: &str) -> Option<String> {
    let timeout = format!("{method}_timeout");
    RESERVED
        .iter()
        .find(|r| **r == method || **r == timeout)
        .map(|r| {
            format!(
                "the typed client would get a method `{r}`, which `ActorRef` already has \
                 (it would shadow the client's); rename this"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Ident {
        Ident::new(s, Span::call_site())
    }

    #[test]
    fn cases() {
        assert_eq!(upper_camel(&id("get_count")), "GetCount");
        assert_eq!(upper_camel(&id("add")), "Add");
        assert_eq!(upper_camel(&id("_x__y")), "XY");
        assert_eq!(snake(&id("GetCount")), "get_count");
        assert_eq!(snake(&id("HTTPGet")), "http_get");
        assert_eq!(snake(&id("Add")), "add");
        assert_eq!(snake(&id("V2Ready")), "v2_ready");
        assert_eq!(client_of(&id("CounterMsg")).to_string(), "CounterClient");
        assert_eq!(client_of(&id("Command")).to_string(), "CommandClient");
        assert_eq!(client_of(&id("Msg")).to_string(), "MsgClient");
        assert!(reserved("stop").is_some());
        assert!(reserved("tell").is_some());
        assert!(reserved("add").is_none());
    }
}
