-- The marts: modelled tables the report reads and analysts query (contract in the design page).
-- Rebuilt by assets/marts.py from the raw tables; grain uniqueness is an asset check.

-- One row per message campaign and account-local date with insights.
create table if not exists marts.campaign_daily (
    ad_account_id        text not null,
    message_campaign_id  text not null,
    campaign_name        text,
    page_id              text,
    date                 date not null,          -- the ad account's time zone, as Meta reports
    currency             text,
    spend                decimal(18, 4) not null, -- currency units
    delivered            bigint not null,         -- insights marketing_messages_delivered
    reads                bigint,                  -- derived: delivered x read_rate / 100
    link_clicks          bigint not null,
    read_rate            decimal(18, 6),          -- percent, as Meta sends it
    delivery_rate        decimal(18, 6),          -- percent, as Meta sends it
    purchases            decimal(18, 4) not null, -- fb_pixel_purchase, attribution window `default`
    purchase_value       decimal(18, 4) not null,
    roas                 decimal(18, 6),          -- purchase_value / spend; NULL when spend is 0
    api_roas             decimal(18, 6)           -- Meta's website_purchase_roas, for reconciliation
);

-- One row per message campaign, account-local date, pixel action type and attribution window.
create table if not exists marts.conversions_daily (
    ad_account_id        text not null,
    message_campaign_id  text not null,
    date                 date not null,
    action_type          text not null,           -- offsite_conversion.fb_pixel_* only
    attribution_window   text not null,           -- default = Meta's `value`
    conversions          decimal(18, 4) not null,
    conversion_value     decimal(18, 4)
);

-- One row per Page, message campaign and UTC date of the send attempt (unattributed events: of the event).
create table if not exists marts.delivery_funnel_daily (
    page_id              text,
    message_campaign_id  text,
    date                 date not null,
    attempted            bigint not null,
    accepted             bigint not null,
    rejected             bigint not null,
    sent                 bigint not null,
    delivered            bigint not null,
    read                 bigint not null,
    clicked              bigint not null,
    failed               bigint not null,
    unattributed_events  bigint not null
);

-- One row per UTC date, message campaign, source and error code.
create table if not exists marts.error_codes_daily (
    date                 date not null,
    message_campaign_id  text,
    source               text not null,           -- send_api or delivery_failed_webhook
    error_code           text not null,           -- the MM code, or 'unknown'
    error_name           text,
    category             text not null,
    retryable            boolean,
    advice               text,
    occurrences          bigint not null
);

-- One row per ad account and estimate snapshot date, beside that day's actual delivery and spend.
create table if not exists marts.delivery_estimates (
    ad_account_id                   text not null,
    snapshot_date                   date not null,
    page_id                         text,
    currency                        text,
    daily_budget                    decimal(18, 4),
    estimate_delivery_lower_bound   bigint,
    estimate_delivery_upper_bound   bigint,
    estimate_cost_lower_bound       decimal(18, 4),
    estimate_cost_upper_bound       decimal(18, 4),
    actual_days                     bigint not null,
    actual_delivered                bigint,
    actual_spend                    decimal(18, 4),
    delivered_within_estimate       boolean,
    spend_within_estimate           boolean
);

-- What the incremental marts have already seen of each export file: (mart, table, file) -> last line.
create table if not exists marts.build_state (
    mart         text not null,
    source_table text not null,
    source_file  text not null,
    max_line     bigint not null,
    primary key (mart, source_table, source_file)
);
