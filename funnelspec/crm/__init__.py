"""Import a CRM's deal pipeline (Salesforce, HubSpot) as a funnel spec.

Each CRM module reads its export into a ``CrmPipeline``; ``conversion`` derives
stage ids and conversions from it, and ``writer`` renders the spec as YAML.
"""
