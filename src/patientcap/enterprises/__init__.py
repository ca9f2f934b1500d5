"""The enterprise registry: profiles, certifications, yearly figures, sharing, Excel in and out."""
