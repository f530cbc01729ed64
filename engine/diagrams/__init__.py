"""diagrams"""
