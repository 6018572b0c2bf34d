"""The insights fields the simulator knows (reference §1.2, §1.4, §1.5) and how each is computed.

Source of every number: a bucket's totals of the world's `campaign_day` figures (`insights.py`).
Standard Ads Insights metrics are defined on a message campaign as follows (INFERRED, listed in
docs/simulator.md): an impression and a person reached are a delivered message (so `frequency` is
1), a click is a link-button click. `marketing_messages_*` metrics the world does not model (media
views, phone-call and quick-reply buttons) are `"0"`; the benchmarks are fixed figures. Fields Meta
documents for other ad types (video, canvas, rankings, ...) are accepted and never returned, as Meta
omits a field that has no value.
"""

from __future__ import annotations

LEVELS = ("account", "campaign", "adset", "ad")

COUNT_FIELDS = {
    "marketing_messages_sent": "sent",
    "marketing_messages_delivered": "delivered",
    "marketing_messages_read": "reads",
    "marketing_messages_link_btn_click": "link_clicks",
    "impressions": "delivered",
    "reach": "delivered",
    "clicks": "link_clicks",
    "unique_clicks": "link_clicks",
    "inline_link_clicks": "link_clicks",
    "unique_inline_link_clicks": "link_clicks",
}
RATE_FIELDS = {
    # field: (numerator, denominator, scale)
    "marketing_messages_read_rate": ("reads", "delivered", 100),
    "marketing_messages_link_btn_click_rate": ("link_clicks", "delivered", 100),
    "marketing_messages_delivery_rate": ("delivered", "sent", 100),
    "marketing_messages_cost_per_link_btn_click": ("spend", "link_clicks", 1),
    "marketing_messages_cost_per_delivered": ("spend", "delivered", 1),
    "cpc": ("spend", "link_clicks", 1),
    "cost_per_inline_link_click": ("spend", "link_clicks", 1),
    "cost_per_unique_click": ("spend", "link_clicks", 1),
    "cpm": ("spend", "delivered", 1000),
    "cpp": ("spend", "delivered", 1000),
    "ctr": ("link_clicks", "delivered", 100),
    "unique_ctr": ("link_clicks", "delivered", 100),
    "inline_link_click_ctr": ("link_clicks", "delivered", 100),
    "frequency": ("delivered", "delivered", 1),
}
MONEY_FIELDS = ("marketing_messages_spend", "spend")
ZERO_FIELDS = (
    "marketing_messages_media_view_rate",
    "marketing_messages_phone_call_btn_click_rate",
    "marketing_messages_quick_reply_btn_click_rate",
)
BENCHMARK_FIELDS = {"marketing_messages_read_rate_benchmark": "72.5", "marketing_messages_click_rate_benchmark": "8.1"}
WEBSITE_EVENTS = (
    "add_to_cart", "initiate_checkout", "purchase", "complete_registration", "add_to_wishlist",
    "add_payment_info", "search", "lead", "view_content", "custom",
)
# marketing_messages_website_<event> counts offsite_conversion.fb_pixel_<event>; _purchase_values sums it.
WEBSITE_FIELDS = {f"marketing_messages_website_{e}": f"offsite_conversion.fb_pixel_{e}" for e in WEBSITE_EVENTS}
WEBSITE_VALUE_FIELDS = {"marketing_messages_website_purchase_values": "offsite_conversion.fb_pixel_purchase"}
ACTION_FIELDS = ("actions", "action_values", "cost_per_action_type", "website_purchase_roas", "purchase_roas",
                 "conversions", "conversion_values")
IDENTITY_FIELDS = {
    # field: the lowest level at which Meta fills it
    "account_id": "account",
    "account_name": "account",
    "account_currency": "account",
    "campaign_id": "campaign",
    "campaign_name": "campaign",
    "objective": "campaign",
    "buying_type": "campaign",
    "adset_id": "adset",
    "adset_name": "adset",
    "optimization_goal": "adset",
    "attribution_setting": "adset",
    "ad_id": "ad",
    "ad_name": "ad",
}
# Documented Ads Insights fields this world has no value for: accepted, never in a row ([SDK]
# `adsinsights.py` `_field_types`, v26.0.3, and Airbyte's insights schema).
UNMODELLED_FIELDS = frozenset("""
ad_click_actions ad_impression_actions adset_end adset_start advanced_actions_28d_view
advanced_reach_1d_lookback advanced_reach_28d_lookback advanced_reach_7d_lookback age_targeting
aggregated_play_time_per_reach anchor_event_attribution_setting anchor_events_performance_indicator
auction_bid auction_competitiveness auction_max_competitor_bid average_purchases_conversion_value
canvas_avg_view_percent canvas_avg_view_time catalog_segment_actions catalog_segment_value
catalog_segment_value_mobile_purchase_roas catalog_segment_value_omni_purchase_roas
catalog_segment_value_website_purchase_roas configurable_attribution_action
configurable_attribution_actionvalue configurable_audience_overlap_reach
configurable_audience_overlap_with_conv_action configurable_audience_overlap_with_conv_converters
configurable_audience_overlap_with_conv_exposure_cost
configurable_audience_overlap_with_conv_exposure_impressions
configurable_audience_overlap_with_conv_exposure_reach configurable_creative_format_performance_adset_count
configurable_creative_format_performance_clicks configurable_creative_format_performance_conversions
configurable_creative_format_performance_converters configurable_creative_format_performance_impressions
configurable_creative_format_performance_spend configurable_placement_ptc_conversions
configurable_placement_ptc_converters configurable_placement_ptc_reach configurable_reachbyfrequency_action
configurable_reachbyfrequency_converters_count configurable_reachbyfrequency_impressions_cost
configurable_reachbyfrequency_impressions_count configurable_reachbyfrequency_reach conversion_lead_rate
conversion_leads conversion_rate_ranking converted_product_app_custom_event_fb_mobile_purchase
converted_product_app_custom_event_fb_mobile_purchase_value converted_product_offline_purchase
converted_product_offline_purchase_value converted_product_omni_purchase
converted_product_omni_purchase_values converted_product_quantity converted_product_value
converted_product_website_pixel_purchase converted_product_website_pixel_purchase_value
converted_promoted_product_app_custom_event_fb_mobile_purchase
converted_promoted_product_app_custom_event_fb_mobile_purchase_value
converted_promoted_product_offline_purchase converted_promoted_product_offline_purchase_value
converted_promoted_product_omni_purchase converted_promoted_product_omni_purchase_values
converted_promoted_product_quantity converted_promoted_product_value
converted_promoted_product_website_pixel_purchase converted_promoted_product_website_pixel_purchase_value
cost_per_15_sec_video_view cost_per_2_sec_continuous_video_view cost_per_6_sec_video_view cost_per_ad_click
cost_per_conversion cost_per_conversion_lead cost_per_dda_countby_convs cost_per_estimated_ad_recallers
cost_per_inline_post_engagement cost_per_message_delivered cost_per_mmp_credited_install
cost_per_objective_result cost_per_one_thousand_ad_impression cost_per_outbound_click cost_per_result
cost_per_thruplay cost_per_unique_action_type cost_per_unique_conversion cost_per_unique_inline_link_click
cost_per_unique_outbound_click created_time creative_diversity_data creative_diversity_label
creative_diversity_score creative_fatigue_summary creative_fatigued_ads creative_media_type dda_countby_convs
dda_results engagement_rate_ranking estimated_ad_recall_rate estimated_ad_recall_rate_lower_bound
estimated_ad_recall_rate_upper_bound estimated_ad_recallers estimated_ad_recallers_lower_bound
estimated_ad_recallers_upper_bound full_view_impressions full_view_reach gender_targeting
inline_post_engagement instagram_profile_follow instagram_profile_visits
instagram_upcoming_event_reminders_set instant_experience_clicks_to_open instant_experience_clicks_to_start
instant_experience_outbound_clicks interactive_component_tap labels landing_page_view_actions_per_link_click
landing_page_view_per_link_click landing_page_view_per_purchase_rate link_clicks_per_results location
marketing_messages_quick_reply_btn_click marketing_messages_spend_currency messages_delivered
messages_delivered_ctr mmp_credited_install mobile_app_purchase_roas msa_seller_budget
multi_event_conversion_attribution_setting objective_result_rate objective_results
onsite_conversion_messaging_detected_purchase_deduped opportunity_score_l4 outbound_clicks outbound_clicks_ctr
place_page_name playable_average_game_length playable_game_start_rate product_group_retailer_id
product_retailer_id product_views purchase_per_landing_page_view purchases_per_link_click
qualifying_question_qualify_answer_rate quality_ranking read_rate result_rate
result_values_performance_indicator results shop_clicks shops_assisted_purchases social_spend total_card_view
total_postbacks total_postbacks_detailed total_postbacks_detailed_v4 unique_actions unique_conversions
unique_inline_link_click_ctr unique_link_clicks_ctr unique_outbound_clicks unique_outbound_clicks_ctr
unique_video_continuous_2_sec_watched_actions unique_video_view_15_sec updated_time
video_15_sec_watched_actions video_30_sec_watched_actions video_6_sec_watched_actions
video_avg_time_watched_actions video_continuous_2_sec_watched_actions video_p100_watched_actions
video_p25_watched_actions video_p50_watched_actions video_p75_watched_actions video_p95_watched_actions
video_play_actions video_play_curve_actions video_play_retention_0_to_15s_actions
video_play_retention_20_to_60s_actions video_play_retention_graph_actions video_thruplay_watched_actions
video_time_watched_actions video_view_per_impression website_ctr wish_bid
""".split())
METRIC_FIELDS = (
    set(COUNT_FIELDS) | set(RATE_FIELDS) | set(MONEY_FIELDS) | set(ZERO_FIELDS) | set(BENCHMARK_FIELDS)
    | set(WEBSITE_FIELDS) | set(WEBSITE_VALUE_FIELDS)
)
DEFAULT_FIELDS = ("impressions", "spend")

# Breakdowns (reference §1.4, [INS-BD]) and the one value each takes in this world: every message
# goes out on Messenger's marketing-messages position, and the world does not split audiences, so
# each row carries the whole bucket under one value (INFERRED, docs/simulator.md).
BREAKDOWN_VALUES = {
    "publisher_platform": "messenger",
    "platform_position": "marketing_messages",
    "impression_device": "other",
    "device_platform": "mobile",
    "age": "Unknown",
    "gender": "unknown",
    "country": "unknown",
    "region": "Unknown",
    "marketing_messages_btn_name": "link",
}
ACTION_BREAKDOWNS = (
    "action_type", "action_target_id", "action_destination", "action_device", "action_reaction",
    "action_video_sound", "action_video_type", "action_carousel_card_id", "action_carousel_card_name",
    "action_canvas_component_name", "conversion_destination", "matched_persona_id", "matched_persona_name",
    "signal_source_bucket", "standard_event_content_type", "is_business_ai_assisted",
)
ATTRIBUTION_WINDOWS = (
    "1d_view", "7d_view", "28d_view", "1d_click", "7d_click", "28d_click", "1d_ev", "dda", "default",
    "7d_view_first_conversion", "28d_view_first_conversion", "7d_view_all_conversions", "28d_view_all_conversions",
    "skan_view", "skan_click", "skan_click_second_postback", "skan_view_second_postback",
    "skan_click_third_postback", "skan_view_third_postback",
)
