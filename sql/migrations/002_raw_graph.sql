-- Raw tables landed from the Graph API: ad accounts, message campaigns, daily insights, actions, estimates.
-- Ids are TEXT (Meta's ids are opaque); money is DECIMAL in account currency units (not cents).

create table if not exists raw.ad_accounts (
    ad_account_id      text primary key,          -- digits only, without the act_ prefix
    account_name       text,
    currency           text not null,
    currency_offset    integer not null,          -- minor units per unit: 100 for USD, 1 for JPY
    timezone_name      text not null,
    account_status     integer
);

create table if not exists raw.message_campaigns (
    message_campaign_id text primary key,         -- the id behind /<id>/insights, Send API message_id, webhooks message_id
    ad_account_id       text not null,
    campaign_name       text,
    page_id             text,
    status              text,
    daily_budget        decimal(18, 4),           -- currency units
    lifetime_budget     decimal(18, 4),           -- currency units
    start_time          timestamptz,
    end_time            timestamptz,
    pixel_id            text,
    adset_id            text,
    ad_id               text
);

-- One row per message campaign and account-local day.
create table if not exists raw.campaign_insights_daily (
    ad_account_id                 text not null,
    message_campaign_id           text not null,
    date                          date not null,
    currency                      text not null,
    spend                         decimal(18, 4) not null,   -- marketing_messages_spend
    delivered                     bigint not null,           -- marketing_messages_delivered
    link_clicks                   bigint not null,           -- marketing_messages_link_btn_click
    read_rate                     decimal(18, 6),            -- percent, as Meta sends it
    delivery_rate                 decimal(18, 6),
    link_btn_click_rate           decimal(18, 6),
    cost_per_link_btn_click       decimal(18, 6),
    cost_per_delivered            decimal(18, 6),
    website_purchase_roas         decimal(18, 6),            -- Meta's ROAS for offsite_conversion.fb_pixel_purchase
    primary key (message_campaign_id, date)
);

-- One row per message campaign, account-local day, pixel action type and attribution window.
-- attribution_window 'default' holds Meta's `value` (the ad set's attribution setting).
create table if not exists raw.campaign_actions_daily (
    ad_account_id        text not null,
    message_campaign_id  text not null,
    date                 date not null,
    action_type          text not null,
    attribution_window   text not null,
    conversions          decimal(18, 4) not null,
    conversion_value     decimal(18, 4),
    primary key (message_campaign_id, date, action_type, attribution_window)
);

-- One row per ad account and snapshot date (account-local) of /message_delivery_estimate.
create table if not exists raw.delivery_estimates (
    ad_account_id                   text not null,
    snapshot_date                   date not null,
    page_id                         text,
    daily_budget                    decimal(18, 4),
    estimate_delivery_lower_bound   bigint,
    estimate_delivery_upper_bound   bigint,
    estimate_cost_lower_bound       decimal(18, 4),   -- currency units (Meta sends minor units)
    estimate_cost_upper_bound       decimal(18, 4),
    primary key (ad_account_id, snapshot_date)
);
