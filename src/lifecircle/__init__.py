"""lifecircle: plan and run a 15-minute community life circle (15分钟社区生活圈)."""

__version__ = "0.1.0"
