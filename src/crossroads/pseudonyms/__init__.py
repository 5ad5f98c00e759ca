"""pseudonyms"""
