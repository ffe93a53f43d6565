"""Small widgets shared by the clinical screens: typed inputs, banners and large figures."""
