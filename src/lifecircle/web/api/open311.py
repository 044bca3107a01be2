from ninja import NinjaAPI

open311 = NinjaAPI(title="Open311", version="v2", urls_namespace="open311")
