//! The seed document: what `--seed FILE` and [`crate::MockConfig::seed`] accept, and the
//! built-in catalogue a server starts with when the document has no `products`.
//!
//! A JSON object (TOML for the binary, by the `.toml` extension) with any of `users`,
//! `products`, `attributes` and `reviews`. `users`: `[{"username","email","password",
//! "first_name"?,"last_name"?}]` ([`crate::SeedUser`]), seeded before
//! [`crate::MockConfig::users`]; with neither, the demo customer (user id 1). User ids start
//! at 1 in seeding order.
//!
//! ## The built-in catalogue
//!
//! The seeded catalogue. Store currency: USD, `currency_minor_unit` 2; all prices below are minor
//! units (cents). Ids and SKUs are stable: SDK tests, examples and the Kotlin tests rely on them.
//!
//! | id  | type      | name                    | SKU                    | price | notes |
//! |-----|-----------|-------------------------|------------------------|-------|-------|
//! | 101 | simple    | T-Shirt                 | `MOCK-TSHIRT`          | 1250  | featured, weight 0.2, Color Red (not for variations), brand Mock Co |
//! | 102 | simple    | Cap                     | `MOCK-CAP`             | 1800  | on sale (regular 2000), brand Mock Co |
//! | 103 | simple    | Mug                     | `MOCK-MUG`             | 999   | brand Mock Co |
//! | 104 | simple    | Sticker Pack            | `MOCK-STICKERS`        | 350   | virtual, no weight |
//! | 105 | simple    | Vintage Poster          | `MOCK-POSTER`          | 1500  | **out of stock** (managed, 0) |
//! | 106 | simple    | Signed Print            | `MOCK-SIGNED-PRINT`    | 4900  | **sold individually** |
//! | 107 | simple    | Limited Edition Vinyl   | `MOCK-VINYL`           | 2999  | **stock 3** (managed) |
//! | 201 | variable  | Hoodie                  | `MOCK-HOODIE`          | 4200–4500 | attributes Color (`pa_color`: blue, green), Size (`pa_size`: small, large), defaults blue/small; featured; brand Acme |
//! | 202 | variation | Hoodie - Blue, Small    | `MOCK-HOODIE-BLUE-S`   | 4500  | |
//! | 203 | variation | Hoodie - Blue, Large    | `MOCK-HOODIE-BLUE-L`   | 4500  | |
//! | 204 | variation | Hoodie - Green, Small   | `MOCK-HOODIE-GREEN-S`  | 4200  | on sale (regular 4500) |
//! | 205 | variation | Hoodie - Green, Large   | `MOCK-HOODIE-GREEN-L`  | 4500  | stock 5 (managed) |
//! | 301 | grouped   | Logo Collection         | `MOCK-LOGO-COLLECTION` | 999–1800 | children 101, 102, 103 |
//! | 401 | external  | WordPress Pennant       | `MOCK-PENNANT`         | 1100  | cannot be added to a cart |
//!
//! Categories (ids in order of first appearance from 15): Clothing 15 (`clothing`),
//! Accessories 16 (`accessories`), Home 17 (`home`), Music 18 (`music`).
//! Tags (from 30): cotton 30, gift 31, limited 32.
//! Global attributes: Color `pa_color` id 1 (terms Blue 50, Green 51, Red 52), Size `pa_size` id 2
//! (Small 53, Large 54, X-Large 55, unused). Brands: Mock Co 80 (`mock-co`), Acme 81 (`acme`).
//! Reviews (approved unless noted): 2 on 101 by Alice Reviewer 5★ (verified), 3 on 101 by
//! "bob smith" 3★, 4 on 201 by Carol 4★ (user 1), 5 on 102 by Dave 1★ **on hold**, 6 on 103 by
//! Erin 5★. Averages: 101 4.00, 201 4.00, 103 5.00; 102 has none (the held review does not count).
//!
//! ## `products`
//! A `products` array replaces the built-in catalogue. Each entry:
//! `id` (u64, required, unique), `name` (required), `type` (`simple` default, `variable`,
//! `variation`, `grouped`, `external`), `sku`, `slug` (default from the name),
//! `regular_price` (i64 minor units), `sale_price` (minor units or null),
//! `stock_quantity` (null = stock not managed; a number = managed), `stock_status`
//! (`instock` default / `outofstock` / `onbackorder`, only used when stock is not managed),
//! `sold_individually`, `virtual`, `featured` (bools), `weight` (string, e.g. `"0.2"`),
//! `attributes` (variable parents:
//! `[{"name":"Color","slug":"pa_color","options":["Blue","Green"]}]`, slug defaults to `pa_` + the
//! name), `parent_id` + `variation` (variations: `{"pa_color":"blue"}`, option slugs), `children`
//! (grouped: child ids), `categories`, `tags` (names), `description`, `short_description`,
//! `date_created` (`YYYY-MM-DDTHH:MM:SS`), `external_url`. Variations are listed after their parent
//! or anywhere; a variation's parent must be a variable product and a grouped product's children
//! must exist. The seed document's `attributes` and `reviews` (below) complete it; a
//! document with `products` but no `reviews` has no reviews, one without `products` keeps the
//! built-in products and, unless it declares them, their attributes and reviews.
//!
//! ## `attributes`, `reviews` and the product fields behind them
//!
//! The catalogue data behind `/products/attributes*`, `/products/reviews*` and the
//! `attributes`, `rating` and `brand` filters of `/products`.
//!
//! ## Seed schema
//! - `attributes`:
//!   `[{"name":"Color","slug":"pa_color","order_by":"menu_order","has_archives":false,
//!   "terms":["Red",{"name":"Blue","slug":"blue","description":"…"}]}]`. `slug` defaults to `pa_` +
//!   the sanitised name. Attribute ids are 1, 2, … in order; term ids are 50, 51, … over every
//!   attribute in order. A product's `pa_*` attribute that is not declared becomes a global
//!   attribute, and an option that is not a declared term becomes a term, both appended.
//! - `reviews`: `[{"id":2,"product_id":101,"reviewer":"Alice","reviewer_email":"a@example.com",
//!   "reviewer_id":0,"review":"Great.","rating":5,"date_created":"2024-03-10T10:00:00",
//!   "verified":true,"status":"approved"}]`. `status` is `approved` (default), `hold`, `spam` or
//!   `trash`; only approved reviews are ever shown or counted. `rating` is 0 to 5 (0: no rating).
//! - Product fields: `brands` (names; brand ids are 80, 81, … in order of first appearance),
//!   `default_attributes` (`{"pa_color":"blue"}`), `reviews_allowed` (default true), and on each
//!   attribute `visible` (default true) and `used_for_variation` (default: true on variable
//!   products).
