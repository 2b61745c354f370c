//! Every lenient model decoded from arbitrary bytes: a value or a serde error, never a panic.
#![no_main]

use cocart::models::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    macro_rules! each {
        ($($t:ty),* $(,)?) => {$( let _ = serde_json::from_slice::<$t>(data); )*};
    }
    each!(
        Cart, CartTotals, CartTotalsRaw, CartItem, CartItems, RemovedItem, Customer, Currency,
        Notices, Product, ProductPage, Variation, Category, Tag, StoreInfo, Shipping, Taxes,
        LoginResponse, RefreshResponse,
    );
});
