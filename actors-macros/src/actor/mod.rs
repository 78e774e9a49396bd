//! `#[actor]` on an inherent `impl` block: stages in `parse` (options, model, checks) and
//! `expand` (the generated code).

mod expand;
mod parse;

use proc_macro2::TokenStream;
use quote::quote;
use syn::Item;

pub(crate) fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let options = match parse::options(args) {
        Ok(options) => options,
        Err(err) => {
            errors.push(err);
            parse::Options::default()
        }
    };
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Impl(item)) => item,
        Ok(other) => {
            let err = syn::Error::new_spanned(
                item_keyword(&other),
                "`#[actor]` goes on an inherent `impl` block, such as `#[actor] impl Counter { .. }`",
            );
            return with_errors(input, vec![err]);
        }
        Err(err) => return with_errors(input, vec![err]),
    };
    let krate = options
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::actors));
    let model = parse::model(item, &mut errors);
    if !errors.is_empty() {
        // Emit the block (without its `#[handler]` marks) and a stub `impl Actor` holding the
        // hooks, so that its methods still exist, `Context<Self>` still means something, and
        // one mistake does not cascade into many.
        let block = &model.item;
        let stub = model.stub.then(|| expand::stub(&model, &krate));
        return with_errors(quote!(#block #stub), errors);
    }
    expand::expand(&model, &options, &krate)
}

/// The leading tokens of an item, for an error that points at what it is.
fn item_keyword(item: &Item) -> TokenStream {
    match item {
        Item::Struct(s) => {
            let t = &s.struct_token;
            quote!(#t)
        }
        Item::Enum(e) => {
            let t = &e.enum_token;
            quote!(#t)
        }
        Item::Fn(f) => {
            let t = &f.sig.fn_token;
            quote!(#t)
        }
        Item::Trait(t) => {
            let t = &t.trait_token;
            quote!(#t)
        }
        Item::Mod(m) => {
            let t = &m.mod_token;
            quote!(#t)
        }
        other => quote!(#other),
    }
}

/// The user's tokens followed by the errors.
pub(crate) fn with_errors(tokens: TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    let errors = errors.into_iter().map(|e| e.to_compile_error());
    quote!(#tokens #(#errors)*)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    /// The expansion of a small actor, checked for the pieces the documentation promises.
    /// `cargo test -p actors-macros -- --nocapture expansion` prints it.
    #[test]
    fn expansion() {
        let out = super::actor(
            quote!(),
            quote! {
                impl Counter {
                    #[handler]
                    fn add(&mut self, n: u64) { self.total += n; }
                    #[handler]
                    async fn get(&mut self) -> u64 { self.total }
                    #[handler]
                    fn take(&mut self, n: u64) -> Result<u64, Underflow> { todo!() }
                }
            },
        )
        .to_string();
        println!("{out}");
        for piece in [
            "pub enum CounterMsg",
            "Add { n : u64 , }",
            "Get { reply : :: actors :: __private :: Reply < u64 > , }",
            "reply : :: core :: option :: Option < :: actors :: __private :: Reply < Result < u64 , Underflow > >>",
            "impl :: actors :: __private :: Actor for Counter",
            "CounterMsg :: Get { reply } => { let value = self . get () . await ;",
            ":: actors :: __private :: settle (result , reply) ?",
            "pub trait CounterClient",
            "fn add_timeout (& self , n : u64 , timeout : :: actors :: __private :: Duration)",
            "impl CounterClient for :: actors :: __private :: ActorRef < Counter >",
        ] {
            assert!(out.contains(piece), "missing `{piece}` in\n{out}");
        }
        // `add` and `take` both take one `u64`: no `From<u64>` at all.
        assert!(!out.contains("From < u64 >"), "{out}");
    }
}
